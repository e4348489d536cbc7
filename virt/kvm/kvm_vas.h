/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * KVM guests on a vas: what kvm_main.c calls. The binding itself is in
 * virt/kvm/vas.c; without CONFIG_KVM_VAS every hook is a no-op and
 * KVM_BIND_VAS is an unknown ioctl.
 */
#ifndef __KVM_VAS_H
#define __KVM_VAS_H

#include <linux/kvm_host.h>

#ifdef CONFIG_KVM_VAS

int kvm_vm_ioctl_bind_vas(struct kvm *kvm, void __user *argp);
void kvm_vas_unbind(struct kvm *kvm);

/* The VM's memslots belong to a vas; KVM_BIND_VAS sets this for good. */
static inline bool kvm_vas_bound(struct kvm *kvm)
{
	return READ_ONCE(kvm->vas_binding);
}

/*
 * The VM ioctls a bound VM refuses with -EBUSY because the vas does their
 * job. KVM_SET_USER_MEMORY_REGION(2) is refused under slots_lock instead,
 * in kvm_vm_ioctl_set_memory_region(), so that it cannot race with the
 * binding.
 */
static inline int kvm_vas_check_vm_ioctl(struct kvm *kvm, unsigned int ioctl)
{
	if (!kvm_vas_bound(kvm))
		return 0;
	switch (ioctl) {
	case KVM_GET_DIRTY_LOG:
	case KVM_CLEAR_DIRTY_LOG:
		return -EBUSY;
	default:
		return 0;
	}
}

#else /* !CONFIG_KVM_VAS */

static inline int kvm_vm_ioctl_bind_vas(struct kvm *kvm, void __user *argp)
{
	return -ENOTTY;
}

static inline void kvm_vas_unbind(struct kvm *kvm)
{
}

static inline bool kvm_vas_bound(struct kvm *kvm)
{
	return false;
}

static inline int kvm_vas_check_vm_ioctl(struct kvm *kvm, unsigned int ioctl)
{
	return 0;
}

#endif /* CONFIG_KVM_VAS */
#endif /* __KVM_VAS_H */
