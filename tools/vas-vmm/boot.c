// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading Linux: the x86 boot protocol (Documentation/arch/x86/boot.rst),
 * 64-bit entry.
 *
 * A bzImage is the real-mode setup code ((setup_sects + 1) * 512 bytes,
 * the setup header at 0x1f1 in it) followed by the protected-mode kernel.
 * This loader needs the "HdrS" magic, protocol 2.12 or later and
 * XLF_KERNEL_64, skips the real-mode code entirely and does what it would
 * have done: the protected-mode kernel goes to pref_address (16 MiB for
 * a kernel that is not relocatable), the zero page (struct boot_params)
 * gets a copy of the setup header, the e820 map, the command line and the
 * initrd, and the vCPU starts in long mode at load address + 0x200 (the
 * 64-bit entry point, startup_64) with RSI pointing at the zero page.
 *
 * Boot memory, all below 640 KiB:
 *
 *	0x01000	GDT: __BOOT_CS 0x10 (64-bit code), __BOOT_DS 0x18 (data),
 *		a TSS at 0x20 for a valid TR
 *	0x07000	zero page
 *	0x09000	page tables: identity map of [0, 4 GiB) with 2 MiB pages
 *		(PML4, PDPT, four PDs), more than the kernel, zero page,
 *		command line and initrd that the protocol needs mapped
 *	0x20000	command line
 *	0xf0000	MP table (mptable.c)
 *
 * The initrd goes as high as it can below initrd_addr_max and the end of
 * low RAM, page aligned, above the memory the kernel needs (init_size
 * from the load address on).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <asm/bootparam.h>

#include "vas-vmm.h"

#define BOOT_GDT		0x1000ULL
#define BOOT_PARAMS		0x7000ULL
#define BOOT_PML4		0x9000ULL
#define BOOT_PDPT		0xa000ULL
#define BOOT_PD			0xb000ULL	/* four pages */
#define BOOT_CMDLINE		0x20000ULL
#define BOOT_CMDLINE_MAX	0x10000ULL
#define BOOT_STACK		BOOT_PARAMS	/* RSP at entry; the kernel sets its own */

#define BASE_RAM_END		0xa0000ULL	/* 640 KiB */
#define BIOS_AREA		0xf0000ULL
#define HIGH_MEMORY		0x100000ULL	/* 1 MiB */

#define SETUP_HEADER_OFFSET	0x1f1
#define SETUP_MAGIC		0x53726448	/* "HdrS" */
#define MIN_PROTOCOL		0x020c
#define DEFAULT_LOAD_ADDR	0x1000000ULL	/* 16 MiB */

#define E820_RAM		1
#define E820_RESERVED		2

struct kernel_image {
	const char *path;
	uint8_t *data;		/* the whole bzImage */
	size_t size;
	size_t setup_size;	/* (setup_sects + 1) * 512 */
	struct setup_header hdr;
	uint64_t load_addr;
	char version[128];

	const char *initrd_path;
	int initrd_fd;
	uint64_t initrd_size;
	uint64_t initrd_addr;

	uint64_t need;		/* bytes from load_addr on: init_size */
	uint64_t kernel_end;
};

/* The whole regular file @path in a malloc()ed *@data; 0 or -errno */
int read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	ssize_t n;
	size_t off = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		n = -errno;
		close(fd);
		return n;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	*size = st.st_size;
	*data = malloc(*size ? *size : 1);
	if (!*data) {
		close(fd);
		return -ENOMEM;
	}
	while (off < *size) {
		n = read(fd, *data + off, *size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			n = n < 0 ? -errno : -EIO;
			free(*data);
			*data = NULL;
			close(fd);
			return n;
		}
		off += n;
	}
	close(fd);
	return 0;
}

/* Checks the bzImage and reads its setup header; NULL after an error() */
struct kernel_image *kernel_open(const char *path, const char *initrd)
{
	struct kernel_image *k;
	struct stat st;
	uint32_t ver;
	int ret;

	k = calloc(1, sizeof(*k));
	if (!k) {
		error("out of memory");
		return NULL;
	}
	k->path = path;
	k->initrd_fd = -1;
	ret = read_file(path, &k->data, &k->size);
	if (ret) {
		error("cannot read kernel %s: %s", path, strerror(-ret));
		goto err;
	}
	if (k->size < SETUP_HEADER_OFFSET + sizeof(k->hdr)) {
		error("%s is not a bzImage (%zu bytes, too short for a setup header)",
		      path, k->size);
		goto err;
	}
	memcpy(&k->hdr, k->data + SETUP_HEADER_OFFSET, sizeof(k->hdr));
	if (k->hdr.header != SETUP_MAGIC || k->hdr.boot_flag != 0xaa55) {
		error("%s is not a bzImage (no \"HdrS\" setup header)", path);
		goto err;
	}
	if (k->hdr.version < MIN_PROTOCOL) {
		error("%s: boot protocol %u.%02u is too old, 2.12 or later needed",
		      path, k->hdr.version >> 8, k->hdr.version & 0xff);
		goto err;
	}
	if (!(k->hdr.xloadflags & XLF_KERNEL_64)) {
		error("%s cannot be booted in 64-bit mode (no XLF_KERNEL_64: a 32-bit kernel?)",
		      path);
		goto err;
	}
	k->setup_size = ((k->hdr.setup_sects ? k->hdr.setup_sects : 4) + 1) *
			512ULL;
	if (k->setup_size >= k->size) {
		error("%s is truncated (setup code %zu bytes, file %zu)",
		      path, k->setup_size, k->size);
		goto err;
	}
	k->load_addr = k->hdr.pref_address ? k->hdr.pref_address :
					     DEFAULT_LOAD_ADDR;
	ver = k->hdr.kernel_version;
	if (ver && ver + 0x200 < k->size) {
		snprintf(k->version, sizeof(k->version), "%.*s",
			 (int)(sizeof(k->version) - 1),
			 (char *)k->data + ver + 0x200);
		/* Cut at the first control character */
		for (ver = 0; k->version[ver]; ver++)
			if ((unsigned char)k->version[ver] < ' ')
				k->version[ver] = '\0';
	} else {
		snprintf(k->version, sizeof(k->version), "unknown version");
	}

	if (initrd) {
		k->initrd_path = initrd;
		k->initrd_fd = open(initrd, O_RDONLY | O_CLOEXEC);
		if (k->initrd_fd < 0) {
			error("cannot read initrd %s: %s", initrd,
			      strerror(errno));
			goto err;
		}
		if (fstat(k->initrd_fd, &st) || !S_ISREG(st.st_mode)) {
			error("initrd %s is not a regular file", initrd);
			goto err;
		}
		k->initrd_size = st.st_size;
	}
	return k;
err:
	kernel_close(k);
	return NULL;
}

uint64_t kernel_entry(struct kernel_image *k)
{
	return k->load_addr + 0x200;
}

uint64_t kernel_boot_params(void)
{
	return BOOT_PARAMS;
}

uint64_t kernel_boot_stack(void)
{
	return BOOT_STACK;
}

static void add_e820(struct boot_params *bp, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	struct boot_e820_entry *e = &bp->e820_table[bp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

static void setup_page_tables(struct vm *vm)
{
	uint64_t *pml4 = gpa_to_hva(vm, BOOT_PML4, PAGE_SIZE);
	uint64_t *pdpt = gpa_to_hva(vm, BOOT_PDPT, PAGE_SIZE);
	uint64_t *pd = gpa_to_hva(vm, BOOT_PD, 4 * PAGE_SIZE);
	uint64_t i;

	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	/* Present | writable; the PD entries are 2 MiB pages (PS) */
	pml4[0] = BOOT_PDPT | 0x03;
	for (i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD + i * PAGE_SIZE) | 0x03;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83;
}

static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint16_t flags)
{
	return (limit & 0xffffULL) | (base & 0xffffffULL) << 16 |
	       (uint64_t)(flags & 0xf0ff) << 40 |
	       (limit & 0xf0000ULL) << 32 | (uint64_t)(base >> 24) << 56;
}

static void setup_gdt(struct vm *vm)
{
	uint64_t *gdt = gpa_to_hva(vm, BOOT_GDT, PAGE_SIZE);

	memset(gdt, 0, PAGE_SIZE);
	gdt[2] = gdt_entry(0, 0xfffff, 0xa09b);	/* 0x10: 64-bit code */
	gdt[3] = gdt_entry(0, 0xfffff, 0xc093);	/* 0x18: data */
	gdt[4] = gdt_entry(0, 0x67, 0x008b);	/* 0x20: busy TSS */
}

/* The GDT and page tables of long mode at boot (program.c's too) */
void boot_tables(struct vm *vm)
{
	setup_gdt(vm);
	setup_page_tables(vm);
}

/*
 * Where the kernel and the initrd go in @low_ram_size bytes of low RAM;
 * checked before the VM is made, so that a guest that cannot fit fails
 * first. 0, or -1 after an error().
 */
int kernel_plan(struct kernel_image *k, uint64_t ram_size,
		uint64_t low_ram_size)
{
	size_t image_size = k->size - k->setup_size;
	uint64_t top = low_ram_size;

	k->need = k->hdr.init_size > image_size ? k->hdr.init_size :
						  image_size;
	k->kernel_end = k->load_addr + k->need;
	if (k->kernel_end > low_ram_size) {
		error("%s needs guest memory up to %llu MiB (loaded at %llu MiB, init_size %u MiB): use a larger -m",
		      k->path,
		      (unsigned long long)(k->kernel_end + MiB - 1) / MiB,
		      (unsigned long long)k->load_addr / MiB,
		      k->hdr.init_size >> 20);
		return -1;
	}
	if (!k->initrd_path)
		return 0;
	if (k->hdr.initrd_addr_max && k->hdr.initrd_addr_max + 1ULL < top)
		top = k->hdr.initrd_addr_max + 1ULL;
	if (k->initrd_size > top || top - k->initrd_size < k->kernel_end) {
		error("initrd %s is too large: %llu MiB, with -m %llu only %llu MiB fit after the kernel",
		      k->initrd_path,
		      (unsigned long long)(k->initrd_size + MiB - 1) / MiB,
		      (unsigned long long)ram_size / MiB,
		      (unsigned long long)(top > k->kernel_end ?
					   (top - k->kernel_end) / MiB : 0));
		return -1;
	}
	k->initrd_addr = (top - k->initrd_size) & ~(PAGE_SIZE - 1);
	return 0;
}

static int load_initrd(struct vm *vm, struct kernel_image *k)
{
	uint8_t *dst = gpa_to_hva(vm, k->initrd_addr, k->initrd_size);
	uint64_t off = 0;
	ssize_t n;

	while (off < k->initrd_size) {
		n = pread(k->initrd_fd, dst + off, k->initrd_size - off, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error("cannot read initrd %s: %s", k->initrd_path,
			      n < 0 ? strerror(errno) : "file shrank");
			return -1;
		}
		off += n;
	}
	return 0;
}

/* Copies kernel, initrd, zero page, command line and tables to the guest */
int kernel_load(struct vm *vm, struct kernel_image *k, const char *cmdline)
{
	struct boot_params *bp;
	size_t image_size = k->size - k->setup_size;
	size_t hdr_end, cmdline_len = strlen(cmdline);

	if (kernel_plan(k, vm->ram_size, vm->low_ram_size))
		return -1;
	if (k->hdr.cmdline_size && cmdline_len > k->hdr.cmdline_size) {
		error("command line too long: %zu bytes, the kernel takes %u",
		      cmdline_len, k->hdr.cmdline_size);
		return -1;
	}
	if (cmdline_len >= BOOT_CMDLINE_MAX) {
		error("command line too long: %zu bytes", cmdline_len);
		return -1;
	}

	memcpy(gpa_to_hva(vm, k->load_addr, image_size),
	       k->data + k->setup_size, image_size);
	if (k->initrd_path && load_initrd(vm, k))
		return -1;

	memcpy(gpa_to_hva(vm, BOOT_CMDLINE, cmdline_len + 1), cmdline,
	       cmdline_len + 1);

	bp = gpa_to_hva(vm, BOOT_PARAMS, sizeof(*bp));
	memset(bp, 0, sizeof(*bp));
	/* The header ends at 0x202 + the byte at 0x201 (the jump) */
	hdr_end = 0x202 + k->data[0x201];
	if (hdr_end > SETUP_HEADER_OFFSET + sizeof(bp->hdr))
		hdr_end = SETUP_HEADER_OFFSET + sizeof(bp->hdr);
	memcpy(&bp->hdr, k->data + SETUP_HEADER_OFFSET,
	       hdr_end - SETUP_HEADER_OFFSET);
	bp->hdr.type_of_loader = 0xff;		/* undefined loader */
	bp->hdr.cmd_line_ptr = BOOT_CMDLINE;
	bp->ext_cmd_line_ptr = 0;
	bp->hdr.ramdisk_image = k->initrd_addr;
	bp->hdr.ramdisk_size = k->initrd_size;
	bp->hdr.code32_start = k->load_addr;
	bp->hdr.vid_mode = 0xffff;		/* normal */

	add_e820(bp, 0, BASE_RAM_END, E820_RAM);
	add_e820(bp, BIOS_AREA, HIGH_MEMORY - BIOS_AREA, E820_RESERVED);
	add_e820(bp, HIGH_MEMORY, vm->low_ram_size - HIGH_MEMORY, E820_RAM);
	if (vm->high_ram_size)
		add_e820(bp, HIGH_RAM_START, vm->high_ram_size, E820_RAM);

	boot_tables(vm);
	if (mptable_write(vm))
		return -1;

	info("kernel %s: Linux %s, boot protocol %u.%02u, loaded at 0x%llx (%zu KiB, needs %llu KiB), entry 0x%llx",
	     k->path, k->version, k->hdr.version >> 8, k->hdr.version & 0xff,
	     (unsigned long long)k->load_addr, image_size / 1024,
	     (unsigned long long)k->need / 1024,
	     (unsigned long long)kernel_entry(k));
	if (k->initrd_path)
		info("initrd %s: %llu KiB at 0x%llx", k->initrd_path,
		     (unsigned long long)k->initrd_size / 1024,
		     (unsigned long long)k->initrd_addr);
	info("command line: %s", cmdline);
	return 0;
}

void kernel_close(struct kernel_image *k)
{
	if (!k)
		return;
	if (k->initrd_fd >= 0)
		close(k->initrd_fd);
	free(k->data);
	free(k);
}
