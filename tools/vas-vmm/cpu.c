// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPUs: creation, the boot CPU's long-mode state, one thread per vCPU
 * running KVM_RUN, and the end of the run.
 *
 * Every vCPU gets the CPUID KVM supports, with its own APIC id (leaf 1
 * EBX[31:24], the x2APIC id of leaves 0xb/0x1f, the extended APIC id of
 * AMD's 0x8000001e) and the hypervisor bit, and LINT0/LINT1 set to
 * ExtINT and NMI as a BIOS leaves them. The TSC deadline timer, which
 * KVM emulates but KVM_GET_SUPPORTED_CPUID leaves out, is not added: in
 * the nested test setup (QEMU TCG, KVM on emulated SVM, this guest) its
 * expiries did not wake a halted guest, whose sleeps then lasted until
 * some other exit. Without it the guest calibrates its local APIC timer
 * against the PIT, or falls back to the PIT for its ticks. The boot CPU starts in long mode, as
 * the 64-bit boot protocol wants it (after the KVM selftests' library):
 * CR0.PE|PG, CR4.PAE, EFER.LME|LMA, CS = __BOOT_CS 0x10 (64-bit), the
 * data segments __BOOT_DS 0x18, interrupts off. The others wait in KVM
 * (in-kernel local APIC) for the INIT/SIPI with which the guest starts
 * them, in real mode.
 *
 * Exits are handled in the vCPU's thread under vm->io_lock. The run ends
 * when a vCPU asks for it (reset through the keyboard controller,
 * KVM_EXIT_SHUTDOWN, a KVM error), on SIGINT/SIGTERM, or when every vCPU
 * is halted with interrupts disabled for two checks in a row: with the
 * in-kernel local APIC a HLT does not exit, so the main thread kicks the
 * vCPUs out of KVM_RUN with SIGUSR1 once a second and each one looks at
 * its own mp_state and RFLAGS.IF. A vCPU the guest never started counts
 * as halted. To stop, the main thread sets immediate_exit in every
 * kvm_run (so that a thread about to enter KVM_RUN returns at once) and
 * kicks them again.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vas-vmm.h"

#define SIG_KICK		SIGUSR1
#define SIG_STOP		SIGUSR2

#define X86_EFLAGS_IF		0x200
#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_MODE_NMI		0x4
#define APIC_MODE_EXTINT	0x7

static pthread_t main_thread;

static struct kvm_cpuid2 *get_supported_cpuid(int kvm_fd)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 64;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) +
				  nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return NULL;
		cpuid->nent = nent;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			return cpuid;
		free(cpuid);
		if (errno != E2BIG || nent >= 4096)
			return NULL;
		nent *= 2;
	}
}

static int set_cpuid(struct vcpu *vcpu, const struct kvm_cpuid2 *supported)
{
	size_t size = sizeof(*supported) +
		      supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *cpuid = malloc(size);
	uint32_t i;
	int ret;

	if (!cpuid)
		return -ENOMEM;
	memcpy(cpuid, supported, size);
	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffff) | (uint32_t)vcpu->id << 24;
			e->ecx |= 1U << 31;	/* running on a hypervisor */
			break;
		case 0xb:
		case 0x1f:
			e->edx = vcpu->id;
			break;
		case 0x8000001e:
			e->eax = vcpu->id;
			break;
		}
	}
	ret = ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) ? -errno : 0;
	free(cpuid);
	return ret;
}

static int setup_lint(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;
	uint32_t *lvt0 = (uint32_t *)&lapic.regs[APIC_LVT0];
	uint32_t *lvt1 = (uint32_t *)&lapic.regs[APIC_LVT1];

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic))
		return -errno;
	*lvt0 = (*lvt0 & ~0x700) | APIC_MODE_EXTINT << 8;
	*lvt1 = (*lvt1 & ~0x700) | APIC_MODE_NMI << 8;
	return ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic) ? -errno : 0;
}

int vcpus_create(struct vm *vm)
{
	struct kvm_cpuid2 *cpuid;
	int i, ret, size;

	cpuid = get_supported_cpuid(vm->kvm_fd);
	if (!cpuid) {
		error("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		return -1;
	}
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		error("KVM_GET_VCPU_MMAP_SIZE: %s",
		      size < 0 ? strerror(errno) : "too small");
		goto err;
	}
	for (i = 0; i < vm->cfg->nr_cpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		vcpu->vm = vm;
		vcpu->id = i;
		vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, i);
		if (vcpu->fd < 0) {
			error("KVM_CREATE_VCPU %d: %s", i, strerror(errno));
			goto err;
		}
		vm->nr_vcpus++;
		/*
		 * A kernel whose TSC calibration failed (it happens under
		 * emulation) has no TSC frequency, and KVM then never enters
		 * the guest: fail now rather than hang.
		 */
		if (i == 0 && ioctl(vcpu->fd, KVM_GET_TSC_KHZ, 0) <= 0) {
			error("KVM cannot run guests here: the host kernel does not know its TSC frequency");
			goto err;
		}
		vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, vcpu->fd, 0);
		if (vcpu->run == MAP_FAILED) {
			vcpu->run = NULL;
			error("mmap of vCPU %d's kvm_run: %s", i,
			      strerror(errno));
			goto err;
		}
		vcpu->run_size = size;
		ret = set_cpuid(vcpu, cpuid);
		if (ret) {
			error("KVM_SET_CPUID2 on vCPU %d: %s", i,
			      strerror(-ret));
			goto err;
		}
		ret = setup_lint(vcpu);
		if (ret) {
			error("KVM_SET_LAPIC on vCPU %d: %s", i,
			      strerror(-ret));
			goto err;
		}
	}
	info("vCPUs: %d created (CPUID from KVM, %u entries; TSC %d kHz)",
	     vm->nr_vcpus, cpuid->nent,
	     ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0));
	free(cpuid);
	return 0;
err:
	free(cpuid);
	return -1;
}

static void segment(struct kvm_segment *s, uint16_t sel, uint8_t type,
		    bool code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

/*
 * Long mode at @rip with RSI = @rsi and RSP = @rsp, interrupts off: the
 * 64-bit entry
 */
int vcpu_setup_boot(struct vcpu *vcpu, uint64_t rip, uint64_t rsi,
		    uint64_t rsp)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = rip,
		.rsi = rsi,
		.rsp = rsp,
		.rflags = 0x2,
	};
	struct kvm_fpu fpu = {
		.fcw = 0x37f,
		.mxcsr = 0x1f80,
	};

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs)) {
		error("KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	segment(&sregs.cs, 0x10, 0xb, true);	/* __BOOT_CS */
	segment(&sregs.ds, 0x18, 0x3, false);	/* __BOOT_DS */
	sregs.es = sregs.ds;
	sregs.fs = sregs.ds;
	sregs.gs = sregs.ds;
	sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = 0x20;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 0xb;	/* busy TSS */
	sregs.tr.present = 1;
	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.type = 0x2;
	sregs.ldt.unusable = 1;
	sregs.gdt.base = 0x1000;
	sregs.gdt.limit = 5 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = 0x80000011;	/* PG, ET, PE */
	sregs.cr3 = 0x9000;	/* boot.c's PML4 */
	sregs.cr4 = 0x20;	/* PAE */
	sregs.efer = 0x500;	/* LME, LMA */

	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs)) {
		error("KVM_SET_SREGS: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs)) {
		error("KVM_SET_REGS: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu)) {
		error("KVM_SET_FPU: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void vm_request_stop(struct vm *vm, enum stop_reason why, const char *detail)
{
	int none = STOP_NONE;

	if (!__atomic_compare_exchange_n(&vm->stop, &none, why, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	clock_gettime(CLOCK_MONOTONIC, &vm->t_end);
	snprintf(vm->stop_detail, sizeof(vm->stop_detail), "%s", detail);
	if (!pthread_equal(pthread_self(), main_thread))
		pthread_kill(main_thread, SIG_STOP);
}

static void mmio_handle(struct vm *vm, uint64_t addr, uint8_t *data, int len,
			bool write)
{
	struct mmio_device *dev = NULL;
	uint32_t v;
	int i, part;

	vm->stats.mmio++;
	for (i = 0; i < vm->nr_mmio; i++) {
		if (addr >= vm->mmio[i].base &&
		    addr + len <= vm->mmio[i].base + vm->mmio[i].size) {
			dev = &vm->mmio[i];
			break;
		}
	}
	if (!dev) {
		vm->stats.mmio_unhandled++;
		if (!write)
			memset(data, 0xff, len);
		return;
	}
	/* 8-byte accesses as two 4-byte ones, low half first */
	for (i = 0; i < len; i += part) {
		part = len - i > 4 ? 4 : len - i;
		if (write) {
			v = 0;
			memcpy(&v, data + i, part);
			dev->write(dev->opaque, addr + i - dev->base, v, part);
		} else {
			v = dev->read(dev->opaque, addr + i - dev->base, part);
			memcpy(data + i, &v, part);
		}
	}
}

/* After a kick: is this vCPU halted for good, or never started? */
static void check_idle(struct vcpu *vcpu)
{
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	bool idle = false;

	if (!ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp)) {
		switch (mp.mp_state) {
		case KVM_MP_STATE_UNINITIALIZED:
		case KVM_MP_STATE_INIT_RECEIVED:
			idle = true;
			break;
		case KVM_MP_STATE_HALTED:
			idle = !ioctl(vcpu->fd, KVM_GET_REGS, &regs) &&
			       !(regs.rflags & X86_EFLAGS_IF);
			break;
		}
	}
	__atomic_store_n(&vcpu->idle, idle, __ATOMIC_RELAXED);
}

static void kvm_error(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char detail[128];

	switch (run->exit_reason) {
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(detail, sizeof(detail),
			 "vCPU %d: KVM internal error, suberror %u",
			 vcpu->id, run->internal.suberror);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(detail, sizeof(detail),
			 "vCPU %d: VM entry failed, reason 0x%llx", vcpu->id,
			 (unsigned long long)
			 run->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		snprintf(detail, sizeof(detail),
			 "vCPU %d: unexpected exit reason %u", vcpu->id,
			 run->exit_reason);
	}
	vm_request_stop(vcpu->vm, STOP_ERROR, detail);
}

static void kick_handler(int sig)
{
	(void)sig;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	struct kvm_run *run = vcpu->run;
	char detail[128];
	bool reset;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIG_KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!vm_stopping(vm)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0)) {
			if (errno != EINTR && errno != EAGAIN) {
				snprintf(detail, sizeof(detail),
					 "vCPU %d: KVM_RUN: %s", vcpu->id,
					 strerror(errno));
				vm_request_stop(vm, STOP_ERROR, detail);
				break;
			}
			__atomic_fetch_add(&vm->stats.intr, 1,
					   __ATOMIC_RELAXED);
			if (!vm_stopping(vm))
				check_idle(vcpu);
			continue;
		}
		__atomic_store_n(&vcpu->idle, false, __ATOMIC_RELAXED);
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			pthread_mutex_lock(&vm->io_lock);
			reset = pio_handle(vm, run->io.port, run->io.direction,
					   run->io.size, run->io.count,
					   (uint8_t *)run + run->io.data_offset);
			pthread_mutex_unlock(&vm->io_lock);
			if (reset)
				vm_request_stop(vm, STOP_RESET,
						"reset through the keyboard controller");
			break;
		case KVM_EXIT_MMIO:
			pthread_mutex_lock(&vm->io_lock);
			mmio_handle(vm, run->mmio.phys_addr, run->mmio.data,
				    run->mmio.len, run->mmio.is_write);
			pthread_mutex_unlock(&vm->io_lock);
			break;
		case KVM_EXIT_HLT:
			/* Only without the in-kernel local APIC */
			__atomic_fetch_add(&vm->stats.hlt, 1,
					   __ATOMIC_RELAXED);
			break;
		case KVM_EXIT_INTR:
			__atomic_fetch_add(&vm->stats.intr, 1,
					   __ATOMIC_RELAXED);
			break;
		case KVM_EXIT_SHUTDOWN:
			__atomic_fetch_add(&vm->stats.shutdown, 1,
					   __ATOMIC_RELAXED);
			snprintf(detail, sizeof(detail),
				 "vCPU %d: shutdown (triple fault)", vcpu->id);
			vm_request_stop(vm, STOP_SHUTDOWN, detail);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			__atomic_fetch_add(&vm->stats.other, 1,
					   __ATOMIC_RELAXED);
			snprintf(detail, sizeof(detail),
				 "vCPU %d: system event %u", vcpu->id,
				 run->system_event.type);
			vm_request_stop(vm, STOP_SYSTEM_EVENT, detail);
			break;
		default:
			__atomic_fetch_add(&vm->stats.other, 1,
					   __ATOMIC_RELAXED);
			kvm_error(vcpu);
			break;
		}
	}
	return NULL;
}

static void kick_all(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].started)
			pthread_kill(vm->vcpus[i].thread, SIG_KICK);
}

/* Runs the guest until it ends; 0, or -1 if it could not start */
int vcpus_run(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	struct timespec tick = { .tv_sec = 1 };
	sigset_t block, wait;
	int i, sig, idle_ticks = 0, started = 0;
	bool all_idle;
	char detail[64];

	main_thread = pthread_self();
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIG_KICK);
	sigaddset(&block, SIG_STOP);
	/* The vCPU threads inherit this mask and unblock SIG_KICK only */
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	sigaction(SIG_KICK, &sa, NULL);
	wait = block;
	sigdelset(&wait, SIG_KICK);

	clock_gettime(CLOCK_MONOTONIC, &vm->t_run);
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread,
				   &vm->vcpus[i])) {
			error("cannot start vCPU %d's thread", i);
			vm_request_stop(vm, STOP_ERROR, "no vCPU thread");
			break;
		}
		vm->vcpus[i].started = true;
		started++;
	}
	info("guest running (%d vCPU%s)", vm->nr_vcpus,
	     vm->nr_vcpus > 1 ? "s" : "");

	while (!vm_stopping(vm)) {
		sig = sigtimedwait(&wait, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM) {
			snprintf(detail, sizeof(detail), "%s to the VMM",
				 sig == SIGINT ? "SIGINT" : "SIGTERM");
			vm_request_stop(vm, STOP_SIGNAL, detail);
		}
		if (vm_stopping(vm))
			break;
		if (sig >= 0)
			continue;
		all_idle = true;
		for (i = 0; i < vm->nr_vcpus; i++)
			all_idle &= __atomic_load_n(&vm->vcpus[i].idle,
						    __ATOMIC_RELAXED);
		idle_ticks = all_idle ? idle_ticks + 1 : 0;
		if (idle_ticks >= 2) {
			vm_request_stop(vm, STOP_HALTED,
					"every vCPU halted with interrupts disabled");
			break;
		}
		kick_all(vm);
	}

	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].run)
			vm->vcpus[i].run->immediate_exit = 1;
	kick_all(vm);
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].started = false;
	}
	/*
	 * SIGINT, SIGTERM and SIG_STOP stay blocked: one still pending would
	 * kill the VMM before it released the guest.
	 */
	return started ? 0 : -1;
}

void vcpus_destroy(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->run)
			munmap(vcpu->run, vcpu->run_size);
		if (vcpu->fd >= 0)
			close(vcpu->fd);
		vcpu->run = NULL;
		vcpu->fd = -1;
	}
	vm->nr_vcpus = 0;
}
