/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SRCU for one thread. Read-side sections are counted, so that
 * srcu_read_lock_held() answers truly and a grace period started inside
 * one aborts (it would deadlock). A grace period calls the harness hook
 * vas_shim_grace_period() (a reader racing with the writer), then runs the
 * call_srcu() callbacks queued before it; srcu_barrier() runs them all.
 */
#ifndef __VAS_SHIM_SRCU_H
#define __VAS_SHIM_SRCU_H

#include <linux/rcupdate.h>

struct srcu_struct {
	int readers;
	struct rcu_head *callbacks;
};

int init_srcu_struct(struct srcu_struct *ssp);
void cleanup_srcu_struct(struct srcu_struct *ssp);
void synchronize_srcu(struct srcu_struct *ssp);
void call_srcu(struct srcu_struct *ssp, struct rcu_head *head,
	       void (*func)(struct rcu_head *head));
void srcu_barrier(struct srcu_struct *ssp);

#define synchronize_srcu_expedited(ssp)	synchronize_srcu(ssp)
#define srcu_read_lock_held(ssp)	((ssp)->readers > 0)
#define srcu_dereference(p, ssp)	READ_ONCE(p)

static inline int srcu_read_lock(struct srcu_struct *ssp)
{
	ssp->readers++;
	return 0;
}

static inline void srcu_read_unlock(struct srcu_struct *ssp, int idx)
{
	if (ssp->readers <= 0 || idx)
		vas_shim_fail("%s() without srcu_read_lock()", __func__);
	ssp->readers--;
}

#endif /* __VAS_SHIM_SRCU_H */
