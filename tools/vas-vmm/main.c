// SPDX-License-Identifier: GPL-2.0-only
/*
 * vas-vmm: boots an unmodified Linux x86-64 kernel with its memory in one
 * vas, which KVM and the in-kernel network backend share.
 *
 *	vas-vmm [options] KERNEL [INITRD]
 *	vas-vmm [options] --program FILE
 *
 * The sequence, one step per progress line on stderr: check the bzImage
 * (or read the program), check /dev/kvm, vas_create(), guest RAM and
 * VAS_SET_MEMSLOT, KVM_CREATE_VM and KVM_BIND_VAS, irqchip and PIT,
 * vCPUs, devices (the UART, virtio-net with its backend and tap, the
 * venet device on vbus with --venet), load the kernel or the program,
 * run. The guest's console is written raw to stdout. At the end, a
 * summary (why the guest ended, run time, exits by kind, network
 * counters, dirty pages with --dirty-log, the guest's exit status), and
 * everything is released explicitly: the VMM checks that it leaves no
 * descriptor open.
 *
 * Exit status: what the guest wrote to port 0x501 if it did; else 0 when
 * the guest ended by itself (reset, shutdown, halt) and 1 on any error,
 * bad input included (one line on stderr, "vas-vmm: error: ..."). A
 * --program must write its status: one that ends without is an error.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vas-vmm.h"

#define DEFAULT_RAM_MIB		256
#define MIN_RAM_MIB		32
#define MAX_RAM_MIB		(1024 * 1024)
#define DEFAULT_TAP		"vas0"
#define BASE_CMDLINE		"console=ttyS0 reboot=k panic=-1 quiet"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " VMM_NAME " [options] KERNEL [INITRD]\n"
		"       " VMM_NAME " [options] --program FILE\n"
		"Boots a Linux x86-64 bzImage under KVM with its memory in a vas.\n"
		"  --program FILE      run a flat 64-bit binary at 1 MiB instead, in\n"
		"                      long mode (default --net none)\n"
		"  -m MIB              guest memory in MiB (default %d, at least %d)\n"
		"  -smp N              vCPUs (default 1)\n"
		"  -c \"ARGS\"           appended to the kernel command line\n"
		"                      (\"" BASE_CMDLINE " virtio_mmio.device=...\")\n"
		"  --net BACKEND       vhost-xi (default), vhost-net or none\n"
		"  --tap NAME          tap interface for the net device (default " DEFAULT_TAP ")\n"
		"  --venet             a venet device on /dev/vbus, used through the\n"
		"                      vbus proxy ports 0x520-0x52f\n"
		"  --dirty-log         log dirty pages in the vas, report the count\n"
		"  -q                  quiet: no progress lines or summary\n"
		"  -h, --help          this text\n"
		"Exit status: the guest's (one byte written to I/O port 0x501),\n"
		"else 0 when the guest ended by itself, 1 on errors (and for a\n"
		"--program that wrote none).\n",
		DEFAULT_RAM_MIB, MIN_RAM_MIB);
}

static int parse_uint(const char *opt, const char *s, unsigned long long max,
		      unsigned long long *v)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-') {
		error("%s needs a number", opt);
		return -1;
	}
	*v = strtoull(s, &end, 0);
	if (errno || *end || *v > max) {
		error("%s %s: not a number up to %llu", opt, s, max);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct config *cfg)
{
	unsigned long long v;
	bool net_given = false;
	int i, npos = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "-m")) {
			if (parse_uint(a, next, MAX_RAM_MIB, &v))
				return -1;
			if (v < MIN_RAM_MIB) {
				error("-m %llu: too little memory, at least %d MiB",
				      v, MIN_RAM_MIB);
				return -1;
			}
			cfg->ram_size = v * MiB;
			i++;
		} else if (!strcmp(a, "-smp")) {
			if (parse_uint(a, next, MAX_VCPUS, &v))
				return -1;
			if (v < 1) {
				error("-smp 0: at least one vCPU");
				return -1;
			}
			cfg->nr_cpus = v;
			i++;
		} else if (!strcmp(a, "-c")) {
			if (!next) {
				error("-c needs an argument");
				return -1;
			}
			cfg->cmdline_extra = next;
			i++;
		} else if (!strcmp(a, "--net")) {
			if (next && !strcmp(next, "vhost-xi")) {
				cfg->net = NET_VHOST_XI;
			} else if (next && !strcmp(next, "vhost-net")) {
				cfg->net = NET_VHOST_NET;
			} else if (next && !strcmp(next, "none")) {
				cfg->net = NET_NONE;
			} else {
				error("--net %s: not vhost-xi, vhost-net or none",
				      next ? next : "");
				return -1;
			}
			net_given = true;
			i++;
		} else if (!strcmp(a, "--tap")) {
			if (!next || !*next) {
				error("--tap needs a name");
				return -1;
			}
			cfg->tap = next;
			i++;
		} else if (!strcmp(a, "--program")) {
			if (!next || !*next) {
				error("--program needs a file");
				return -1;
			}
			cfg->program = next;
			i++;
		} else if (!strcmp(a, "--venet")) {
			cfg->venet = true;
		} else if (!strcmp(a, "--dirty-log")) {
			cfg->dirty_log = true;
		} else if (!strcmp(a, "-q")) {
			cfg->quiet = true;
		} else if (a[0] == '-' && a[1]) {
			error("unknown option %s (see --help)", a);
			return -1;
		} else if (npos == 0) {
			cfg->kernel = a;
			npos++;
		} else if (npos == 1) {
			cfg->initrd = a;
			npos++;
		} else {
			error("too many arguments: %s (see --help)", a);
			return -1;
		}
	}
	if (cfg->program) {
		if (cfg->kernel) {
			error("--program %s and a kernel %s: one or the other",
			      cfg->program, cfg->kernel);
			return -1;
		}
		if (cfg->cmdline_extra) {
			error("-c: a program has no command line");
			return -1;
		}
		if (!net_given)
			cfg->net = NET_NONE;
		return 0;
	}
	if (!cfg->kernel) {
		error("no kernel given (usage: " VMM_NAME " [options] KERNEL [INITRD])");
		return -1;
	}
	return 0;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static char *build_cmdline(struct vm *vm)
{
	const char *extra = vm->cfg->cmdline_extra;
	char devices[128] = "";
	char *cmdline;
	size_t len;

	if (vm->net)
		snprintf(devices, sizeof(devices),
			 " virtio_mmio.device=%llu@0x%llx:%d",
			 VIRTIO_MMIO_STRIDE, VIRTIO_MMIO_BASE,
			 VIRTIO_MMIO_IRQ_BASE);
	len = strlen(BASE_CMDLINE) + strlen(devices) +
	      (extra ? strlen(extra) + 1 : 0) + 1;
	cmdline = malloc(len);
	if (!cmdline)
		return NULL;
	snprintf(cmdline, len, "%s%s%s%s", BASE_CMDLINE, devices,
		 extra ? " " : "", extra ? extra : "");
	return cmdline;
}

static const char *stop_name(int why)
{
	switch (why) {
	case STOP_RESET:
		return "reset";
	case STOP_SHUTDOWN:
		return "shutdown";
	case STOP_SYSTEM_EVENT:
		return "system event";
	case STOP_HALTED:
		return "halted";
	case STOP_SIGNAL:
		return "stopped";
	case STOP_ERROR:
		return "error";
	default:
		return "not started";
	}
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.ram_size = DEFAULT_RAM_MIB * MiB,
		.nr_cpus = 1,
		.net = NET_VHOST_XI,
		.tap = DEFAULT_TAP,
	};
	struct vm *vm;
	struct kernel_image *kernel = NULL;
	struct program *program = NULL;
	uint64_t low_ram;
	char *cmdline = NULL;
	uint64_t dirty = 0;
	struct timespec now;
	int fds_start, fds_end, status = 1;
	bool ran = false;

	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		error("out of memory");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &vm->t_start);
	log_init(&vm->t_start, false);
	fds_start = count_fds();
	vm->cfg = &cfg;
	vm->kvm_fd = -1;
	vm->vas_fd = -1;
	vm->vm_fd = -1;
	vm->guest_status = -1;
	pthread_mutex_init(&vm->io_lock, NULL);

	/* A console reader that goes away must not kill the VMM mid-run */
	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv, &cfg))
		goto out;
	log_init(&vm->t_start, cfg.quiet);

	low_ram = cfg.ram_size < LOW_RAM_MAX ? cfg.ram_size : LOW_RAM_MAX;
	if (cfg.program) {
		program = program_open(cfg.program);
		if (!program || program_plan(program, cfg.ram_size, low_ram))
			goto out;
	} else {
		kernel = kernel_open(cfg.kernel, cfg.initrd);
		if (!kernel || kernel_plan(kernel, cfg.ram_size, low_ram))
			goto out;
	}
	if (vm_check_kvm(vm))
		goto out;
	if (vm_create_memory(vm))
		goto out;
	if (vm_create(vm))
		goto out;
	if (vcpus_create(vm))
		goto out;

	vm->serial = serial_create(vm);
	if (!vm->serial)
		goto out;
	info("serial: 8250 UART at 0x3f8 irq 4, guest console on stdout");
	if (cfg.net != NET_NONE) {
		vm->net = net_create(vm, 0);
		if (!vm->net)
			goto out;
	} else {
		info("net: none");
	}
	if (cfg.venet) {
		vm->vbus = vbus_create(vm);
		if (!vm->vbus)
			goto out;
	}

	if (program) {
		if (program_load(vm, program) ||
		    vcpu_setup_boot(&vm->vcpus[0], program_entry(), 0,
				    program_stack()))
			goto out;
	} else {
		cmdline = build_cmdline(vm);
		if (!cmdline) {
			error("out of memory");
			goto out;
		}
		if (kernel_load(vm, kernel, cmdline) ||
		    vcpu_setup_boot(&vm->vcpus[0], kernel_entry(kernel),
				    kernel_boot_params(), kernel_boot_stack()))
			goto out;
	}

	if (vcpus_run(vm))
		goto out;
	ran = true;

	/* Read what goes away with the devices and the vas */
	if (cfg.dirty_log)
		dirty = vm_dirty_pages(vm);
	serial_flush(vm->serial);
	clock_gettime(CLOCK_MONOTONIC, &now);
	info("guest ended (%s): %s, after %.3f s of guest run time (%.3f s since the VMM started)",
	     stop_name(vm->stop), vm->stop_detail,
	     elapsed(&vm->t_run, &vm->t_end), elapsed(&vm->t_start, &now));
	info("exits: %" PRIu64 " io (%" PRIu64 " to absent ports), %" PRIu64
	     " mmio (%" PRIu64 " outside devices), %" PRIu64 " hlt, %" PRIu64
	     " shutdown, %" PRIu64 " signal, %" PRIu64 " other",
	     vm->stats.io, vm->stats.io_unhandled, vm->stats.mmio,
	     vm->stats.mmio_unhandled, vm->stats.hlt, vm->stats.shutdown,
	     vm->stats.intr, vm->stats.other);
	if (vm->console_bytes)
		info("console: %" PRIu64 " bytes, the first %.3f s after the guest started",
		     vm->console_bytes, elapsed(&vm->t_run, &vm->t_console));
	else
		info("console: nothing");
	net_stats(vm->net);
	vbus_stats(vm->vbus);
	if (cfg.dirty_log)
		info("dirty log: %" PRIu64 " pages (%" PRIu64 " KiB) dirty in the vas at exit",
		     dirty, dirty * 4);

	if (vm->guest_status >= 0) {
		status = vm->guest_status;
		info("guest exit status %d (port 0x501)", status);
	} else if (program && vm->stop != STOP_ERROR) {
		status = 1;
		error("program %s ended (%s: %s) without writing its status to port 0x501",
		      cfg.program, stop_name(vm->stop), vm->stop_detail);
	} else {
		status = vm->stop == STOP_ERROR || vm->stop == STOP_SIGNAL;
		info("guest exit status: none written to port 0x501; exit status %d",
		     status);
	}
	if (vm->stop == STOP_ERROR)
		error("%s", vm->stop_detail);

out:
	free(cmdline);
	serial_destroy(vm->serial);
	vm->serial = NULL;
	vbus_destroy(vm->vbus);
	vm->vbus = NULL;
	net_destroy(vm->net);
	vm->net = NULL;
	vcpus_destroy(vm);
	vm_destroy(vm);
	kernel_close(kernel);
	program_close(program);
	pthread_mutex_destroy(&vm->io_lock);
	free(vm);

	fds_end = count_fds();
	if (fds_start >= 0 && fds_end != fds_start)
		warning("%d file descriptor(s) open at exit, %d at start",
			fds_end, fds_start);
	else if (ran)
		info("released: vCPUs, VM, devices, vas and guest memory; %d descriptors open, as at start",
		     fds_end);
	return status;
}
