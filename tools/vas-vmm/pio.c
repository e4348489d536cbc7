// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port I/O that exits to the VMM (KVM emulates the PIC, PIT and speaker
 * port itself).
 *
 *	0x3f8-0x3ff	the UART (serial.c)
 *	0x60, 0x64	keyboard controller, only its reset line: 0xfe
 *			written to 0x64 ends the run (reboot=k). The status
 *			register reads 0x01, "output buffer full, input
 *			buffer empty" forever: the kernel's reset path, which
 *			waits for an empty input buffer, writes at once, and
 *			the i8042 driver, which reads the data port until the
 *			output buffer is empty, gives up after 16 reads and
 *			finds no controller. (0 would make it poll 10000
 *			times for a reply, one exit each; 0xff, an absent
 *			controller, would make the reset path wait 65536.)
 *			The data port reads 0.
 *	0x501		exit status: a one-byte OUT sets the VMM's exit status
 *	0x520-0x52f	the vbus proxy with --venet (vbus.c, vbus-proxy.h):
 *			0x520 a 32-bit OUT of a request's address, 0x528 on
 *			the kick ports (KVM takes their one-byte OUTs)
 *	0x70, 0x71	CMOS/RTC: reads 0 (no update in progress)
 *	anything else	reads all ones, as an empty ISA bus does; writes are
 *			dropped. Counted, not reported: probing absent
 *			hardware is normal for a booting kernel.
 */
#include <linux/kvm.h>

#include "vas-vmm.h"

#define PORT_KBD_DATA		0x60
#define PORT_KBD_STATUS		0x64
#define PORT_RTC_INDEX		0x70
#define PORT_RTC_DATA		0x71
#define PORT_EXIT_STATUS	0x501

#define KBD_CMD_RESET		0xfe
#define KBD_STATUS_OBF		0x01

/* One byte; false if nobody is at @port. Sets *@reset on a reset. */
static bool pio_byte(struct vm *vm, uint16_t port, bool out, uint8_t *val,
		     bool *reset)
{
	if (vm->serial && serial_io(vm->serial, port, out, val))
		return true;

	switch (port) {
	case PORT_KBD_DATA:
	case PORT_KBD_STATUS:
		if (!out) {
			*val = port == PORT_KBD_STATUS ? KBD_STATUS_OBF : 0;
		} else if (port == PORT_KBD_STATUS && *val == KBD_CMD_RESET) {
			*reset = true;
		}
		return true;
	case PORT_RTC_INDEX:
	case PORT_RTC_DATA:
		if (!out)
			*val = 0;
		return true;
	case PORT_EXIT_STATUS:
		if (out)
			vm->guest_status = *val;
		else
			*val = vm->guest_status < 0 ? 0xff : vm->guest_status;
		return true;
	}
	if (!out)
		*val = 0xff;
	return false;
}

/*
 * A KVM_EXIT_IO: @count accesses of @size bytes each at @port (string I/O
 * repeats), the data at @data. Called with vm->io_lock held. Returns true
 * if the guest reset the machine: the caller ends the run.
 */
bool pio_handle(struct vm *vm, uint16_t port, int dir, int size,
		uint32_t count, uint8_t *data)
{
	bool out = dir == KVM_EXIT_IO_OUT;
	bool handled = true, reset = false;
	uint32_t i;
	int b;

	vm->stats.io++;
	for (i = 0; i < count; i++) {
		/* The proxy takes its accesses whole */
		if (vm->vbus && vbus_pio(vm->vbus, port, out, size,
					 &data[i * size]))
			continue;
		/* Wider accesses go byte by byte to consecutive ports */
		for (b = 0; b < size; b++)
			handled &= pio_byte(vm, port + b, out,
					    &data[i * size + b], &reset);
	}
	if (!handled)
		vm->stats.io_unhandled++;
	return reset;
}
