/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's include/linux/rbtree_latch.h, unchanged, over the rbtree of
 * tools/include (tools/lib/rbtree.c), which lacks rb_link_node_rcu().
 */
#ifndef __VAS_SHIM_RBTREE_LATCH_H
#define __VAS_SHIM_RBTREE_LATCH_H

#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>

static inline void rb_link_node_rcu(struct rb_node *node,
				    struct rb_node *parent,
				    struct rb_node **rb_link)
{
	node->__rb_parent_color = (unsigned long)parent;
	node->rb_left = NULL;
	node->rb_right = NULL;
	rcu_assign_pointer(*rb_link, node);
}

#include_next <linux/rbtree_latch.h>

#endif /* __VAS_SHIM_RBTREE_LATCH_H */
