/* SPDX-License-Identifier: GPL-2.0-only */
/* vmalloc() and friends: see slab.h */
#ifndef __VAS_SHIM_VMALLOC_H
#define __VAS_SHIM_VMALLOC_H

#include <linux/slab.h>

#endif /* __VAS_SHIM_VMALLOC_H */
