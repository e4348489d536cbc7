/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vas-vmm: a small VMM whose guest memory is one vas.
 *
 * The pieces and who calls whom:
 *
 *	main.c		options, the boot sequence, the summary at the end
 *	vm.c		the vas, guest RAM and its memslots, the KVM VM bound
 *			to the vas, the in-kernel irqchip and PIT
 *	cpu.c		vCPUs: CPUID, long-mode registers, one thread each,
 *			the exit loop, the end of the run
 *	boot.c		the Linux x86 64-bit boot protocol: bzImage, zero
 *			page, e820, page tables, GDT
 *	program.c	a freestanding 64-bit program instead of a kernel
 *	mptable.c	the MP table that tells the guest where the IOAPIC is
 *	pio.c		port I/O: dispatch, reset, the exit-status port
 *	serial.c	the 8250 UART at 0x3f8 (the guest console)
 *	virtio-mmio.c	the virtio-mmio transport (version 2)
 *	net.c		the virtio-net device and its tap
 *	vhost.c		the in-kernel backends: vhost-net and vhost-xi-net
 *	vbus.c		a venet device on vbus, and the vbus proxy ports
 *			that a guest uses it through (vbus-proxy.h)
 *
 * Everything a run owns hangs off one struct vm; every exit handler runs
 * under vm->io_lock, so device models need no locking of their own.
 */
#ifndef VAS_VMM_H
#define VAS_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <linux/kvm.h>

#ifndef __packed
#define __packed		__attribute__((packed))
#endif
#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif

#define MiB			(1ULL << 20)
#define GiB			(1ULL << 30)
#define PAGE_SIZE		4096ULL

/*
 * Guest-physical map. RAM runs from 0 up to LOW_RAM_MAX; what does not
 * fit there goes above 4 GiB, so the 32-bit hole holds the devices:
 *
 *	0x00000000	RAM (e820: RAM below 640 KiB, reserved BIOS area
 *			0xf0000-0xfffff with the MP table, RAM from 1 MiB)
 *	0xc0000000	end of low RAM at most
 *	0xd0000000	virtio-mmio devices, VIRTIO_MMIO_STRIDE apart
 *	0xfec00000	IOAPIC (in KVM)
 *	0xfee00000	local APICs (in KVM)
 *	0xfffbc000	identity map page of VMX (KVM's own memslot)
 *	0xfffbd000	TSS of VMX, three pages (KVM's own memslot)
 *	4 GiB		rest of RAM
 */
#define LOW_RAM_MAX		0xc0000000ULL
#define HIGH_RAM_START		(4 * GiB)
#define VIRTIO_MMIO_BASE	0xd0000000ULL
#define VIRTIO_MMIO_STRIDE	0x200ULL
#define VIRTIO_MMIO_IRQ_BASE	5
#define IOAPIC_ADDR		0xfec00000U
#define LAPIC_ADDR		0xfee00000U
#define KVM_IDENTITY_MAP_ADDR	0xfffbc000ULL
#define KVM_TSS_ADDR		0xfffbd000ULL

#define MAX_VCPUS		64
#define MAX_MMIO_DEVICES	4

#define VMM_NAME		"vas-vmm"

enum net_backend {
	NET_NONE,
	NET_VHOST_NET,
	NET_VHOST_XI,
};

/* Why the run ended */
enum stop_reason {
	STOP_NONE,
	STOP_RESET,		/* 0xfe to port 0x64 */
	STOP_SHUTDOWN,		/* KVM_EXIT_SHUTDOWN: triple fault */
	STOP_SYSTEM_EVENT,	/* KVM_EXIT_SYSTEM_EVENT */
	STOP_HALTED,		/* every vCPU halted with interrupts off */
	STOP_SIGNAL,		/* SIGINT/SIGTERM to the VMM */
	STOP_ERROR,		/* KVM_RUN failed, internal error... */
};

/* Exits of all vCPUs, by kind; updated under vm->io_lock */
struct exit_stats {
	uint64_t io;
	uint64_t io_unhandled;
	uint64_t mmio;
	uint64_t mmio_unhandled;
	uint64_t hlt;
	uint64_t shutdown;
	uint64_t intr;		/* KVM_RUN interrupted by a signal */
	uint64_t other;
};

struct config {
	const char *kernel;
	const char *initrd;
	const char *program;	/* --program: instead of a kernel */
	const char *cmdline_extra;
	const char *tap;
	uint64_t ram_size;
	int nr_cpus;
	enum net_backend net;
	bool quiet;
	bool dirty_log;
	bool venet;
};

struct vm;

/* A region of the MMIO space that exits to userspace */
struct mmio_device {
	uint64_t base;
	uint64_t size;
	void *opaque;
	uint32_t (*read)(void *opaque, uint64_t offset, int len);
	void (*write)(void *opaque, uint64_t offset, uint32_t value, int len);
};

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool started;
	/*
	 * Halted with interrupts off, or never started: written by the vCPU
	 * thread, read by the main thread (__atomic accesses)
	 */
	bool idle;
};

struct serial;
struct virtio_net;
struct vbus_proxy;

struct vm {
	struct config *cfg;

	int kvm_fd;
	int vas_fd;
	int vm_fd;

	/* Guest RAM: one host mapping, one or two memslots */
	void *ram;
	uint64_t ram_size;
	uint64_t low_ram_size;	/* [0, low_ram_size) */
	uint64_t high_ram_size;	/* [4 GiB, 4 GiB + high_ram_size) */
	int nr_memslots;

	int nr_vcpus;
	struct vcpu vcpus[MAX_VCPUS];

	struct mmio_device mmio[MAX_MMIO_DEVICES];
	int nr_mmio;

	struct serial *serial;
	struct virtio_net *net;
	struct vbus_proxy *vbus;

	pthread_mutex_t io_lock;
	struct exit_stats stats;

	/* The end of the run */
	int stop;	/* enum stop_reason; see vm_stopping() */
	int guest_status;	/* -1 until the guest writes port 0x501 */
	char stop_detail[128];

	struct timespec t_start;	/* VMM start */
	struct timespec t_run;		/* first KVM_RUN */
	struct timespec t_end;
	struct timespec t_console;	/* first console byte */
	uint64_t console_bytes;
};

/* log.c */
void log_init(const struct timespec *start, bool be_quiet);
__printf(1, 2) void info(const char *fmt, ...);
__printf(1, 2) void error(const char *fmt, ...);
__printf(1, 2) void warning(const char *fmt, ...);
double elapsed(const struct timespec *from, const struct timespec *to);

/* vm.c */
int vm_check_kvm(struct vm *vm);
int vm_create_memory(struct vm *vm);
int vm_create(struct vm *vm);
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
uint64_t vm_dirty_pages(struct vm *vm);
int vm_irq_line(struct vm *vm, int gsi, int level);
int vm_add_mmio(struct vm *vm, const struct mmio_device *dev);
void vm_del_mmio(struct vm *vm, uint64_t base);
void vm_destroy(struct vm *vm);

/* cpu.c */
int vcpus_create(struct vm *vm);
int vcpu_setup_boot(struct vcpu *vcpu, uint64_t rip, uint64_t rsi,
		    uint64_t rsp);
int vcpus_run(struct vm *vm);
void vm_request_stop(struct vm *vm, enum stop_reason why, const char *detail);
void vcpus_destroy(struct vm *vm);

/* Why the run is ending, or STOP_NONE; any thread */
static inline int vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->stop, __ATOMIC_ACQUIRE);
}

/* boot.c */
struct kernel_image;
int read_file(const char *path, uint8_t **data, size_t *size);
void boot_tables(struct vm *vm);
struct kernel_image *kernel_open(const char *path, const char *initrd);
int kernel_plan(struct kernel_image *k, uint64_t ram_size,
		uint64_t low_ram_size);
int kernel_load(struct vm *vm, struct kernel_image *k, const char *cmdline);
uint64_t kernel_entry(struct kernel_image *k);
uint64_t kernel_boot_params(void);
uint64_t kernel_boot_stack(void);
void kernel_close(struct kernel_image *k);

/* program.c */
struct program;
struct program *program_open(const char *path);
int program_plan(struct program *p, uint64_t ram_size, uint64_t low_ram_size);
int program_load(struct vm *vm, struct program *p);
uint64_t program_entry(void);
uint64_t program_stack(void);
void program_close(struct program *p);

/* mptable.c */
int mptable_write(struct vm *vm);

/* pio.c */
bool pio_handle(struct vm *vm, uint16_t port, int dir, int size,
		uint32_t count, uint8_t *data);

/* serial.c */
struct serial *serial_create(struct vm *vm);
bool serial_io(struct serial *s, uint16_t port, bool out, uint8_t *val);
void serial_flush(struct serial *s);
void serial_destroy(struct serial *s);

/* net.c */
struct virtio_net *net_create(struct vm *vm, int index);
void net_stats(struct virtio_net *n);
void net_destroy(struct virtio_net *n);
int netdev_stat(const char *ifname, const char *name, uint64_t *v);

/* vbus.c */
struct vbus_proxy *vbus_create(struct vm *vm);
bool vbus_pio(struct vbus_proxy *p, uint16_t port, bool out, int size,
	      uint8_t *data);
void vbus_stats(struct vbus_proxy *p);
void vbus_destroy(struct vbus_proxy *p);

#endif /* VAS_VMM_H */
