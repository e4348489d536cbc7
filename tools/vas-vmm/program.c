// SPDX-License-Identifier: GPL-2.0-only
/*
 * A freestanding program instead of a kernel (--program FILE).
 *
 * FILE is a flat 64-bit binary, the objcopy -O binary of a program linked
 * to run at PROGRAM_ADDR (1 MiB). It is copied there, and the boot vCPU
 * enters its first byte as it enters a 64-bit kernel (cpu.c): long mode,
 * CS 0x10 and the data segments 0x18 of boot.c's GDT, boot.c's identity
 * page tables ([0, 4 GiB) with 2 MiB pages, so an address is its
 * guest-physical address), interrupts off, no IDT (an exception is a
 * triple fault), CR4 with PAE alone (no SSE: build with
 * -mgeneral-regs-only), and RSP = PROGRAM_STACK. There are no boot
 * parameters, MP table or command line; the rest of RAM is zero, the
 * program's .bss included; the UART and the devices asked for are there.
 *
 *	0x01000			GDT (boot.c)
 *	0x09000 - 0x0efff	page tables (boot.c)
 *	0x20000 - 0x7ffff	the stack, down from PROGRAM_STACK
 *	0x100000		the program, up to the end of low RAM
 *
 * The program ends by writing its status, one byte, to port 0x501 and
 * halting with interrupts off (cli; hlt), or resetting (0xfe to port
 * 0x64): the VMM exits with that status. A program that ends without
 * writing one, by a triple fault say, makes the VMM exit with 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vas-vmm.h"

#define PROGRAM_ADDR		0x100000ULL
#define PROGRAM_STACK		0x80000ULL

struct program {
	const char *path;
	uint8_t *data;
	size_t size;
};

/* Reads the program; NULL after an error() */
struct program *program_open(const char *path)
{
	struct program *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p) {
		error("out of memory");
		return NULL;
	}
	p->path = path;
	ret = read_file(path, &p->data, &p->size);
	if (ret) {
		error("cannot read program %s: %s", path, strerror(-ret));
		goto err;
	}
	if (!p->size) {
		error("program %s is empty", path);
		goto err;
	}
	return p;
err:
	program_close(p);
	return NULL;
}

/* Checked before the VM is made; 0, or -1 after an error() */
int program_plan(struct program *p, uint64_t ram_size, uint64_t low_ram_size)
{
	if (p->size > low_ram_size - PROGRAM_ADDR) {
		error("program %s is too large: %zu KiB at 0x%llx, with -m %llu only %llu KiB fit",
		      p->path, (p->size + 1023) / 1024, PROGRAM_ADDR,
		      (unsigned long long)ram_size / MiB,
		      (unsigned long long)(low_ram_size - PROGRAM_ADDR) / 1024);
		return -1;
	}
	return 0;
}

/* Copies the program and the tables of long mode to the guest */
int program_load(struct vm *vm, struct program *p)
{
	if (program_plan(p, vm->ram_size, vm->low_ram_size))
		return -1;
	memcpy(gpa_to_hva(vm, PROGRAM_ADDR, p->size), p->data, p->size);
	boot_tables(vm);
	info("program %s: %zu bytes at 0x%llx, entry 0x%llx, stack 0x%llx",
	     p->path, p->size, PROGRAM_ADDR, PROGRAM_ADDR, PROGRAM_STACK);
	return 0;
}

uint64_t program_entry(void)
{
	return PROGRAM_ADDR;
}

uint64_t program_stack(void)
{
	return PROGRAM_STACK;
}

void program_close(struct program *p)
{
	if (!p)
		return;
	free(p->data);
	free(p);
}
