// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Intel MultiProcessor table (MP spec 1.4), so that a guest without
 * ACPI finds its CPUs and the IOAPIC.
 *
 * Linux looks for the floating pointer structure ("_MP_") in the BIOS
 * area 0xf0000-0xfffff among other places; it points to the configuration
 * table ("PCMP") that follows it. The table lists one processor entry per
 * vCPU (APIC id = vCPU id, vCPU 0 the BSP), one ISA bus, the IOAPIC of KVM
 * at 0xfec00000 (id nr_cpus, after the local APICs), an interrupt entry
 * per ISA IRQ 0-15 but the cascade (IRQ n -> IOAPIC pin n, matching KVM's
 * default GSI routing; the virtio-mmio IRQs 5 and up are among them,
 * added separately if they are above 15), and LINT0 as ExtINT and LINT1
 * as NMI on every local APIC. The BIOS area is reserved in the e820 map.
 */
#include <string.h>

#include "vas-vmm.h"

#define MPTABLE_ADDR		0xf0000ULL
#define MPTABLE_MAX_SIZE	0x10000ULL

#define MP_PROCESSOR		0
#define MP_BUS			1
#define MP_IOAPIC		2
#define MP_INTSRC		3
#define MP_LINTSRC		4

#define MP_INT			0
#define MP_NMI			1
#define MP_EXTINT		3

#define CPU_ENABLED		1
#define CPU_BSP			2
#define APIC_VERSION		0x14
#define IOAPIC_VERSION		0x11
#define ISA_BUS_ID		0

struct mpf_intel {
	char signature[4];
	uint32_t physptr;
	uint8_t length;
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature1;
	uint8_t feature2;
	uint8_t feature3;
	uint8_t feature4;
	uint8_t feature5;
} __packed;

struct mpc_table {
	char signature[4];
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __packed;

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __packed;

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __packed;

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __packed;

struct mpc_intsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;	/* 0: conforming to the bus (ISA: edge, high) */
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __packed;

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return -sum;
}

int mptable_write(struct vm *vm)
{
	uint8_t *base = gpa_to_hva(vm, MPTABLE_ADDR, MPTABLE_MAX_SIZE);
	struct mpf_intel *mpf = (struct mpf_intel *)base;
	struct mpc_table *mpc = (struct mpc_table *)(base + sizeof(*mpf));
	uint8_t *p = (uint8_t *)(mpc + 1);
	uint8_t ioapic_id = vm->nr_vcpus;
	int i, irq, entries = 0, last_irq;

	if (!base)
		return -1;
	memset(base, 0, MPTABLE_MAX_SIZE);

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct mpc_cpu *cpu = (struct mpc_cpu *)p;

		cpu->type = MP_PROCESSOR;
		cpu->apicid = i;
		cpu->apicver = APIC_VERSION;
		cpu->cpuflag = CPU_ENABLED | (i == 0 ? CPU_BSP : 0);
		cpu->cpufeature = 0x600;	/* family 6 */
		cpu->featureflag = 0x201;	/* FPU, APIC */
		p += sizeof(*cpu);
		entries++;
	}

	{
		struct mpc_bus *bus = (struct mpc_bus *)p;

		bus->type = MP_BUS;
		bus->busid = ISA_BUS_ID;
		memcpy(bus->bustype, "ISA   ", 6);
		p += sizeof(*bus);
		entries++;
	}

	{
		struct mpc_ioapic *ioapic = (struct mpc_ioapic *)p;

		ioapic->type = MP_IOAPIC;
		ioapic->apicid = ioapic_id;
		ioapic->apicver = IOAPIC_VERSION;
		ioapic->flags = 1;	/* usable */
		ioapic->apicaddr = IOAPIC_ADDR;
		p += sizeof(*ioapic);
		entries++;
	}

	/* ISA IRQs 0-15 and the virtio-mmio IRQs, if any lie beyond */
	last_irq = VIRTIO_MMIO_IRQ_BASE + vm->nr_mmio - 1;
	if (last_irq < 15)
		last_irq = 15;
	for (irq = 0; irq <= last_irq; irq++) {
		struct mpc_intsrc *src = (struct mpc_intsrc *)p;

		if (irq == 2)	/* the cascade of the 8259s */
			continue;
		src->type = MP_INTSRC;
		src->irqtype = MP_INT;
		src->irqflag = 0;
		src->srcbus = ISA_BUS_ID;
		src->srcbusirq = irq;
		src->dstapic = ioapic_id;
		src->dstirq = irq;
		p += sizeof(*src);
		entries++;
	}

	for (i = 0; i < 2; i++) {
		struct mpc_intsrc *lint = (struct mpc_intsrc *)p;

		lint->type = MP_LINTSRC;
		lint->irqtype = i == 0 ? MP_EXTINT : MP_NMI;
		lint->srcbus = ISA_BUS_ID;
		lint->dstapic = 0xff;	/* every local APIC */
		lint->dstirq = i;	/* LINT0, LINT1 */
		p += sizeof(*lint);
		entries++;
	}

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = p - (uint8_t *)mpc;
	mpc->spec = 4;
	memcpy(mpc->oem, "VASVMM  ", 8);
	memcpy(mpc->productid, "vas-vmm     ", 12);
	mpc->oemcount = entries;
	mpc->lapic = LAPIC_ADDR;
	mpc->checksum = checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = MPTABLE_ADDR + sizeof(*mpf);
	mpf->length = 1;	/* in 16-byte units */
	mpf->specification = 4;
	mpf->checksum = checksum(mpf, sizeof(*mpf));

	info("MP table at 0x%llx: %d CPU(s), IOAPIC id %u at 0x%x, ISA IRQs 0-%d",
	     MPTABLE_ADDR, vm->nr_vcpus, ioapic_id, IOAPIC_ADDR, last_irq);
	return 0;
}
