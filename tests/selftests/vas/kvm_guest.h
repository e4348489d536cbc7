/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny harness for real x86-64 KVM guests whose code is C functions of
 * the test binary itself.
 *
 * The test binary is static and not position independent, so its code and
 * data have fixed addresses below 4 GiB. The guest runs in long mode with
 * guest-virtual == guest-physical for the low 4 GiB (2 MiB pages); the
 * harness copies the binary's PT_LOAD segments, as they are in memory, into
 * the boot memory at guest-physical == their virtual address, so a guest
 * can call any function of the binary that needs no system call, TLS or
 * other host state. Global data is a snapshot taken by
 * kvm_guest_setup_boot(): what the guest writes there stays in the guest.
 *
 * The harness never creates memslots: the caller makes the boot memory
 * (KVM_GUEST_BOOT_SIZE bytes at guest-physical 0) and any other memory
 * guest memory of g->vm_fd, with KVM_SET_USER_MEMORY_REGION or otherwise,
 * and gives the harness the host address of the boot memory:
 *
 *	0x0000 - 0x9fff		GDT, TSS, IDT and page tables
 *	0x10000 - ...		the binary's segments (at their own addresses)
 *	top KVM_GUEST_STACK_SIZE	the stack
 *
 * kvm_guest_call() runs fn(a0, a1, a2) on a fresh stack through a
 * trampoline that HLTs when fn returns; any other exit (MMIO, shutdown...)
 * is handed back to the caller. A guest exception does not triple fault:
 * the IDT sends every vector to a stub that reports it with an OUT to
 * KVM_GUEST_EXCEPTION_PORT, which kvm_guest_exception() decodes.
 *
 * Guest functions should be GUEST_CODE and touch guest memory with
 * GUEST_READ() and GUEST_WRITE(). XCR0 is set as on the host, so the
 * SSE/AVX code that gcc or the string functions of libc (whose variant was
 * chosen for the host CPU) may use run in the guest too.
 */
#ifndef KVM_GUEST_H
#define KVM_GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#define KVM_GUEST_BOOT_SIZE		0x1000000UL	/* 16 MiB */
#define KVM_GUEST_STACK_SIZE		0x100000UL	/* 1 MiB */
#define KVM_GUEST_IMAGE_MIN		0x10000UL
/* The identity map covers the guest-physical range [0, 4 GiB) */
#define KVM_GUEST_MAPPED_SIZE		(4ULL << 30)

#define KVM_GUEST_GDT			0x1000UL
#define KVM_GUEST_TSS			0x2000UL
#define KVM_GUEST_IDT			0x3000UL
#define KVM_GUEST_PML4			0x4000UL
#define KVM_GUEST_PDPT			0x5000UL
#define KVM_GUEST_PD			0x6000UL	/* four pages */

#define KVM_GUEST_CS			0x08
#define KVM_GUEST_DS			0x10
#define KVM_GUEST_TR			0x18
#define KVM_GUEST_NR_VECTORS		32
#define KVM_GUEST_EXCEPTION_PORT	0xfe
/* Vectors 8, 10-14, 17, 21, 29 and 30 push an error code */
#define KVM_GUEST_ERROR_CODE_VECTORS	0x60227d00

/*
 * For functions that run in the guest: kept out of line, called with no
 * assumption drawn from their body, and without SSE code of their own
 * (which some hypervisors cannot emulate); no floating point then.
 */
#define GUEST_CODE	__attribute__((noipa, target("general-regs-only")))

/*
 * Guest memory accesses that the compiler emits as single plain moves:
 * never merged, split, dropped or turned into calls to memset()
 */
#define GUEST_READ(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define GUEST_WRITE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

#define __KVM_GUEST_STR(x)	#x
#define KVM_GUEST_STR(x)	__KVM_GUEST_STR(x)

struct kvm_guest {
	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	void *boot_hva;
	/* private */
	struct kvm_sregs sregs;
	uint64_t xcr0;
	bool pending_io;
};

/* What the exception stub reported; see kvm_guest_exception() */
struct kvm_guest_exception {
	uint32_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cr2;
};

/*
 * kvm_guest_trampoline: entered with fn in rax, its arguments in rdi, rsi
 * and rdx and rsp at the 16-byte aligned top of the stack.
 *
 * kvm_guest_exc_stubs: one 16-byte stub per vector that pushes a zero
 * error code if the CPU does not push one and the vector, then reports
 * vector (rdi), error code (rsi) and faulting rip (rdx) with an OUT.
 */
asm(".pushsection .text\n"
	".type kvm_guest_trampoline, @function\n"
	"kvm_guest_trampoline:\n"
	"	call *%rax\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".size kvm_guest_trampoline, . - kvm_guest_trampoline\n"
	".balign 16\n"
	".type kvm_guest_exc_stubs, @function\n"
	"kvm_guest_exc_stubs:\n"
	"	.set .Lkvm_guest_vec, 0\n"
	"	.rept " KVM_GUEST_STR(KVM_GUEST_NR_VECTORS) "\n"
	"	.balign 16\n"
	"	.if ((" KVM_GUEST_STR(KVM_GUEST_ERROR_CODE_VECTORS)
	"	      >> .Lkvm_guest_vec) & 1) == 0\n"
	"	push $0\n"
	"	.endif\n"
	"	push $.Lkvm_guest_vec\n"
	"	jmp 2f\n"
	"	.set .Lkvm_guest_vec, .Lkvm_guest_vec + 1\n"
	"	.endr\n"
	"2:	pop %rdi\n"
	"	pop %rsi\n"
	"	mov (%rsp), %rdx\n"
	"	mov %edi, %eax\n"
	"	out %al, $" KVM_GUEST_STR(KVM_GUEST_EXCEPTION_PORT) "\n"
	"3:	hlt\n"
	"	jmp 3b\n"
	".size kvm_guest_exc_stubs, . - kvm_guest_exc_stubs\n"
	".popsection\n");

extern const char kvm_guest_trampoline[];
extern const char kvm_guest_exc_stubs[];

/**
 * kvm_guest_open() - Opens /dev/kvm and creates a VM without memory
 * @g: the guest, whose fds are all -1 on failure
 *
 * The caller then gives the VM its memory, the boot memory included: with
 * KVM_SET_USER_MEMORY_REGION on @g->vm_fd, or otherwise.
 *
 * Return: 0, or -errno (-ENOENT or -ENODEV when there is no KVM).
 */
static inline int kvm_guest_open(struct kvm_guest *g)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->vm_fd = -1;
	g->vcpu_fd = -1;
	g->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm_fd < 0)
		return -errno;
	ret = ioctl(g->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		ret = ret < 0 ? -errno : -EINVAL;
		goto err;
	}
	g->vm_fd = ioctl(g->kvm_fd, KVM_CREATE_VM, 0);
	if (g->vm_fd < 0) {
		ret = -errno;
		goto err;
	}
	return 0;
err:
	close(g->kvm_fd);
	g->kvm_fd = -1;
	return ret;
}

static inline uint64_t kvm_guest_gdt_entry(uint32_t base, uint32_t limit,
					   uint16_t flags)
{
	return (limit & 0xffffULL) | (base & 0xffffffULL) << 16 |
	       (uint64_t)(flags & 0xf0ff) << 40 |
	       (limit & 0xf0000ULL) << 32 | (uint64_t)(base >> 24) << 56;
}

struct kvm_guest_image {
	char *boot_hva;
	int ret;
};

/*
 * Copies the PT_LOAD segments of the running binary, the first object that
 * dl_iterate_phdr() reports, to the boot memory at their own addresses,
 * after checking that they are where the binary was linked (no PIE) and
 * fit between the tables and the stack.
 */
static inline int kvm_guest_copy_image(struct dl_phdr_info *info,
				       size_t size, void *data)
{
	struct kvm_guest_image *image = data;
	int i;

	image->ret = info->dlpi_addr ? -ENOEXEC : 0;
	for (i = 0; i < info->dlpi_phnum && !image->ret; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD &&
		    (info->dlpi_phdr[i].p_vaddr < KVM_GUEST_IMAGE_MIN ||
		     info->dlpi_phdr[i].p_vaddr + info->dlpi_phdr[i].p_memsz >
		     KVM_GUEST_BOOT_SIZE - KVM_GUEST_STACK_SIZE))
			image->ret = -E2BIG;
	for (i = 0; i < info->dlpi_phnum && !image->ret; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD)
			memcpy(image->boot_hva + info->dlpi_phdr[i].p_vaddr,
			       (void *)info->dlpi_phdr[i].p_vaddr,
			       info->dlpi_phdr[i].p_memsz);
	return 1;
}

/**
 * kvm_guest_setup_boot() - Fills the boot memory
 * @g: the guest
 * @boot_hva: host address of the KVM_GUEST_BOOT_SIZE bytes that the caller
 *	registers (or has registered) at guest-physical 0
 *
 * Writes the GDT, TSS, IDT, page tables and a copy of the binary's
 * segments; registers nothing. Can be called again to refresh the copy.
 *
 * Return: 0, -ENOEXEC if the binary is position independent, -E2BIG if it
 * does not fit.
 */
static inline int kvm_guest_setup_boot(struct kvm_guest *g, void *boot_hva)
{
	char *mem = boot_hva;
	uint64_t *gdt = (uint64_t *)(mem + KVM_GUEST_GDT);
	uint64_t *idt = (uint64_t *)(mem + KVM_GUEST_IDT);
	uint64_t *pml4 = (uint64_t *)(mem + KVM_GUEST_PML4);
	uint64_t *pdpt = (uint64_t *)(mem + KVM_GUEST_PDPT);
	uint64_t *pd = (uint64_t *)(mem + KVM_GUEST_PD);
	struct kvm_guest_image image = { .boot_hva = boot_hva };
	uint64_t stub, i;

	memset(mem, 0, KVM_GUEST_PD + 4 * 4096);
	/* Null, 64-bit code, data, then the two halves of a busy TSS */
	gdt[1] = kvm_guest_gdt_entry(0, 0xfffff, 0xa09b);
	gdt[2] = kvm_guest_gdt_entry(0, 0xfffff, 0xc093);
	gdt[3] = kvm_guest_gdt_entry(KVM_GUEST_TSS, 0x67, 0x008b);
	/* Interrupt gates to the stubs */
	for (i = 0; i < KVM_GUEST_NR_VECTORS; i++) {
		stub = (uintptr_t)kvm_guest_exc_stubs + 16 * i;
		idt[2 * i] = (stub & 0xffff) | KVM_GUEST_CS << 16 |
			     0x8eULL << 40 | (stub & 0xffff0000ULL) << 32;
		idt[2 * i + 1] = stub >> 32;
	}
	/* Present, writable, accessed, dirty; 2 MiB pages in the PDs */
	pml4[0] = KVM_GUEST_PDPT | 0x63;
	for (i = 0; i < 4; i++)
		pdpt[i] = (KVM_GUEST_PD + i * 4096) | 0x63;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0xe3;

	g->boot_hva = boot_hva;
	if (!dl_iterate_phdr(kvm_guest_copy_image, &image))
		return -ENOEXEC;
	return image.ret;
}

static inline void kvm_guest_segment(struct kvm_segment *s, uint16_t sel,
				     uint8_t type, bool code)
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

static inline void kvm_guest_cpuid(uint32_t leaf, uint32_t index,
				   uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a" (r[0]), "=b" (r[1]), "=c" (r[2]), "=d" (r[3])
		     : "a" (leaf), "c" (index));
}

/*
 * Gives the vCPU what KVM supports as CPUID; returns the XCR0 for the
 * guest: the host's, within what KVM supports, or 0 without XSAVE.
 */
static inline int kvm_guest_set_cpuid(struct kvm_guest *g, uint64_t *xcr0)
{
	struct kvm_cpuid2 *cpuid = NULL;
	uint32_t nent = 64, lo, hi, r[4];
	uint64_t supported = 0;
	bool xsave = false;
	int ret;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return -ENOMEM;
		cpuid->nent = nent;
		if (!ioctl(g->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			break;
		ret = -errno;
		free(cpuid);
		if (ret != -E2BIG || nent >= 4096)
			return ret;
		nent *= 2;
	}
	for (nent = 0; nent < cpuid->nent; nent++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[nent];

		if (e->function == 1)
			xsave = e->ecx & (1U << 26);
		if (e->function == 0xd && e->index == 0)
			supported = e->eax | (uint64_t)e->edx << 32;
	}
	ret = ioctl(g->vcpu_fd, KVM_SET_CPUID2, cpuid) ? -errno : 0;
	free(cpuid);

	*xcr0 = 0;
	kvm_guest_cpuid(1, 0, r);
	if (xsave && (r[2] & (1U << 27))) {	/* OSXSAVE on the host */
		asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
		*xcr0 = ((uint64_t)hi << 32 | lo) & supported;
	}
	return ret;
}

/**
 * kvm_guest_create_vcpu() - Creates vCPU 0 and prepares it for long mode
 * @g: a guest opened with kvm_guest_open()
 *
 * Maps its kvm_run at @g->run and gives it the CPUID that KVM supports.
 * The registers themselves are loaded by every kvm_guest_call().
 *
 * Return: 0 or -errno; -EOPNOTSUPP if the kernel does not know the TSC
 * frequency, which keeps KVM from running any guest.
 */
static inline int kvm_guest_create_vcpu(struct kvm_guest *g)
{
	struct kvm_sregs *s = &g->sregs;
	int size, ret;

	g->vcpu_fd = ioctl(g->vm_fd, KVM_CREATE_VCPU, 0);
	if (g->vcpu_fd < 0)
		return -errno;
	/*
	 * A kernel whose TSC calibration failed (it happens under emulation)
	 * has no TSC frequency, and KVM then retries its clock update forever
	 * without ever entering the guest: fail now rather than hang.
	 */
	if (ioctl(g->vcpu_fd, KVM_GET_TSC_KHZ, 0) == 0)
		return -EOPNOTSUPP;
	size = ioctl(g->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(*g->run))
		return size < 0 ? -errno : -EINVAL;
	g->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->vcpu_fd, 0);
	if (g->run == MAP_FAILED) {
		g->run = NULL;
		return -errno;
	}
	g->run_size = size;

	ret = kvm_guest_set_cpuid(g, &g->xcr0);
	if (ret)
		return ret;

	if (ioctl(g->vcpu_fd, KVM_GET_SREGS, s))
		return -errno;
	kvm_guest_segment(&s->cs, KVM_GUEST_CS, 0xb, true);
	kvm_guest_segment(&s->ds, KVM_GUEST_DS, 0x3, false);
	s->es = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	s->ss = s->ds;
	memset(&s->tr, 0, sizeof(s->tr));
	s->tr.selector = KVM_GUEST_TR;
	s->tr.base = KVM_GUEST_TSS;
	s->tr.limit = 0x67;
	s->tr.type = 0xb;
	s->tr.present = 1;
	memset(&s->ldt, 0, sizeof(s->ldt));
	s->ldt.type = 0x2;
	s->ldt.unusable = 1;
	s->gdt.base = KVM_GUEST_GDT;
	s->gdt.limit = 5 * 8 - 1;
	s->idt.base = KVM_GUEST_IDT;
	s->idt.limit = KVM_GUEST_NR_VECTORS * 16 - 1;
	/* PE, MP, ET, NE, WP, PG; PAE, OSFXSR, OSXMMEXCPT (, OSXSAVE) */
	s->cr0 = 0x80050033;
	s->cr3 = KVM_GUEST_PML4;
	s->cr4 = 0x620 | (g->xcr0 ? 0x40000 : 0);
	s->efer = 0x500;	/* LME, LMA */
	return 0;
}

/*
 * Finishes an MMIO or port I/O exit, as KVM requires before the registers
 * are replaced: KVM_RUN with immediate_exit completes the instruction and
 * returns -EINTR without running the guest any further.
 */
static inline int kvm_guest_complete_io(struct kvm_guest *g)
{
	int i, ret = 0;

	if (!g->pending_io)
		return 0;
	g->pending_io = false;
	g->run->immediate_exit = 1;
	for (i = 0; i < 16; i++) {
		if (ioctl(g->vcpu_fd, KVM_RUN, 0)) {
			ret = errno == EINTR ? 0 : -errno;
			break;
		}
		/* A split access exits again for its second half */
		ret = -EIO;
	}
	g->run->immediate_exit = 0;
	return ret;
}

/* Runs the vCPU until an exit other than a signal's */
static inline int kvm_guest_run(struct kvm_guest *g, uint64_t *ret)
{
	struct kvm_regs regs;
	int r;

	g->pending_io = false;
	do {
		r = ioctl(g->vcpu_fd, KVM_RUN, 0);
	} while ((r && errno == EINTR) ||
		 (!r && g->run->exit_reason == KVM_EXIT_INTR));
	if (r)
		return -errno;

	r = g->run->exit_reason;
	if (r == KVM_EXIT_MMIO || r == KVM_EXIT_IO)
		g->pending_io = true;
	if (r == KVM_EXIT_HLT && ret) {
		if (ioctl(g->vcpu_fd, KVM_GET_REGS, &regs))
			return -errno;
		*ret = regs.rax;
	}
	return r;
}

/**
 * kvm_guest_call() - Runs fn(a0, a1, a2) in the guest
 * @g: a guest with boot memory registered and set up and a vCPU
 * @fn: a function of the binary; it runs at CPL 0 with interrupts off
 * @a0: first argument
 * @a1: second argument
 * @a2: third argument
 * @ret: where to store fn's return value when it returns, or NULL
 *
 * An MMIO or I/O exit left by the previous call is completed first, without
 * running the guest further.
 *
 * Return: the kvm_run exit reason: KVM_EXIT_HLT when fn returned; anything
 * else (KVM_EXIT_MMIO, KVM_EXIT_IO for an exception, KVM_EXIT_SHUTDOWN...)
 * for the caller to inspect in @g->run. -errno if an ioctl failed.
 */
static inline int kvm_guest_call(struct kvm_guest *g, void *fn, uint64_t a0,
				 uint64_t a1, uint64_t a2, uint64_t *ret)
{
	struct kvm_regs regs = {
		.rax = (uintptr_t)fn,
		.rdi = a0,
		.rsi = a1,
		.rdx = a2,
		.rsp = KVM_GUEST_BOOT_SIZE,
		.rip = (uintptr_t)kvm_guest_trampoline,
		.rflags = 0x2,
	};
	struct kvm_xcrs xcrs = {
		.nr_xcrs = 1,
		.xcrs[0] = { .xcr = 0, .value = g->xcr0 },
	};
	int r;

	r = kvm_guest_complete_io(g);
	if (r)
		return r;
	/* A shutdown may have reset the vCPU: load everything every time */
	if (ioctl(g->vcpu_fd, KVM_SET_SREGS, &g->sregs))
		return -errno;
	if (g->xcr0 && ioctl(g->vcpu_fd, KVM_SET_XCRS, &xcrs))
		return -errno;
	if (ioctl(g->vcpu_fd, KVM_SET_REGS, &regs))
		return -errno;
	return kvm_guest_run(g, ret);
}

/**
 * kvm_guest_resume() - Lets the guest go on after an exit
 * @g: the guest
 * @ret: as for kvm_guest_call()
 *
 * For an MMIO read, the guest gets the first len bytes of @g->run->mmio.data
 * as it is when this is called.
 *
 * Return: as kvm_guest_call().
 */
static inline int kvm_guest_resume(struct kvm_guest *g, uint64_t *ret)
{
	return kvm_guest_run(g, ret);
}

/**
 * kvm_guest_exception() - Decodes an exception the guest took
 * @g: the guest
 * @e: filled with the vector, error code (0 if none), rip and cr2
 *
 * Only valid right after kvm_guest_call() returned KVM_EXIT_IO.
 *
 * Return: true if that exit was an exception report.
 */
static inline bool kvm_guest_exception(struct kvm_guest *g,
				       struct kvm_guest_exception *e)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (g->run->exit_reason != KVM_EXIT_IO ||
	    g->run->io.port != KVM_GUEST_EXCEPTION_PORT ||
	    g->run->io.direction != KVM_EXIT_IO_OUT)
		return false;
	if (ioctl(g->vcpu_fd, KVM_GET_REGS, &regs) ||
	    ioctl(g->vcpu_fd, KVM_GET_SREGS, &sregs))
		return false;
	e->vector = regs.rdi;
	e->error_code = regs.rsi;
	e->rip = regs.rdx;
	e->cr2 = sregs.cr2;
	return true;
}

/**
 * kvm_guest_describe() - Describes the last exit, for test logs
 * @g: the guest
 * @buf: the buffer
 * @len: its size
 *
 * Return: @buf
 */
static inline const char *kvm_guest_describe(struct kvm_guest *g, char *buf,
					     size_t len)
{
	struct kvm_run *run = g->run;
	struct kvm_guest_exception e;

	if (kvm_guest_exception(g, &e))
		snprintf(buf, len, "exception %u error 0x%llx rip 0x%llx cr2 0x%llx",
			 e.vector, (unsigned long long)e.error_code,
			 (unsigned long long)e.rip, (unsigned long long)e.cr2);
	else if (run->exit_reason == KVM_EXIT_MMIO)
		snprintf(buf, len, "mmio %s gpa 0x%llx len %u",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.phys_addr,
			 run->mmio.len);
	else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		snprintf(buf, len, "internal error %u", run->internal.suberror);
	else
		snprintf(buf, len, "exit reason %u", run->exit_reason);
	return buf;
}

/*
 * KVM_SET_USER_MEMORY_REGION on @vm_fd, for callers whose guest memory is
 * KVM's own: 0 or -errno.
 */
static inline int kvm_guest_set_memory_region(int vm_fd, uint32_t slot,
					      uint32_t flags, uint64_t gpa,
					      uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) ? -errno : 0;
}

/**
 * kvm_guest_close() - Closes the vCPU, the VM and /dev/kvm
 * @g: the guest; the boot memory is the caller's
 */
static inline void kvm_guest_close(struct kvm_guest *g)
{
	if (g->run)
		munmap(g->run, g->run_size);
	if (g->vcpu_fd >= 0)
		close(g->vcpu_fd);
	if (g->vm_fd >= 0)
		close(g->vm_fd);
	if (g->kvm_fd >= 0)
		close(g->kvm_fd);
	g->run = NULL;
	g->vcpu_fd = -1;
	g->vm_fd = -1;
	g->kvm_fd = -1;
}

#endif /* KVM_GUEST_H */
