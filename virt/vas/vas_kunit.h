/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the vas KUnit suites.
 */
#ifndef __VAS_KUNIT_H
#define __VAS_KUNIT_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>

#include "vas_private.h"

/* VAS_SET_MEMSLOT without the ioctl: 0 or a negative errno */
static inline int vas_kunit_set_memslot(struct vas *vas, u32 id, u32 flags,
					u64 gpa, u64 size, u64 uaddr)
{
	struct vas_set_memslot req = {
		.size = sizeof(req),
		.flags = flags,
		.slot = id,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = uaddr,
	};

	return vas_memslots_set(vas, &req);
}

/**
 * struct vas_kunit_change - a VAS_SET_MEMSLOT run by a kernel thread
 * @vas: The vas
 * @req: The request
 * @err: Its result, once @done
 * @done: Completed when vas_memslots_set() returned
 *
 * Lets a test hold vas->srcu while a change waits for it: the change
 * unpublishes the old memslot, bumps the generation and then waits in
 * synchronize_srcu() until the test lets go.
 */
struct vas_kunit_change {
	struct vas *vas;
	struct vas_set_memslot req;
	int err;
	struct completion done;
};

static int vas_kunit_change_fn(void *data)
{
	struct vas_kunit_change *change = data;

	change->err = vas_memslots_set(change->vas, &change->req);
	complete(&change->done);
	return 0;
}

/*
 * Starts the change @id/@flags/@gpa/@size/@uaddr in a kernel thread and
 * returns once it has published the new layout (the generation moved):
 * with vas->srcu held by the caller, it then waits for the caller.
 */
static inline void vas_kunit_change_start(struct kunit *test,
					  struct vas_kunit_change *change,
					  struct vas *vas, u32 id, u32 flags,
					  u64 gpa, u64 size, u64 uaddr)
{
	u64 generation = vas_memslots_generation(vas);
	struct task_struct *task;
	int ms;

	*change = (struct vas_kunit_change){
		.vas = vas,
		.req = {
			.size = sizeof(change->req),
			.flags = flags,
			.slot = id,
			.guest_phys_addr = gpa,
			.memory_size = size,
			.userspace_addr = uaddr,
		},
	};
	init_completion(&change->done);
	task = kthread_run(vas_kunit_change_fn, change, "vas-kunit-change");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (ms = 0; ms < 5000; ms += 20) {
		if (vas_memslots_generation(vas) != generation)
			return;
		msleep(20);
	}
	KUNIT_FAIL(test, "the memslot change did not publish within 5 s");
}

#endif /* __VAS_KUNIT_H */
