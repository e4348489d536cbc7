/* SPDX-License-Identifier: GPL-2.0-only */
/* min() and max() come with tools/include's linux/kernel.h */
#ifndef __VAS_SHIM_MINMAX_H
#define __VAS_SHIM_MINMAX_H

#include <linux/kernel.h>

#ifndef max_t
#define max_t(type, x, y)	max((type)(x), (type)(y))
#endif
#ifndef umin
#define umin(x, y)		min((u64)(x), (u64)(y))
#endif
#ifndef umax
#define umax(x, y)		max((u64)(x), (u64)(y))
#endif
#ifndef clamp
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#endif

#endif /* __VAS_SHIM_MINMAX_H */
