// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest console: an 8250-family UART at 0x3f8 (COM1, IRQ 4), output
 * only, after kvmtool's hw/serial.c.
 *
 * Every byte written to THR goes to the VMM's stdout at once, so the
 * transmitter is always empty: LSR reads THRE | TEMT, which is all the
 * kernel's polled console writes (printk) look at. The registers the 8250
 * driver probes are kept (IER, LCR, MCR, SCR, the divisor latch; IIR reads
 * with the FIFO bits set, so the port is a 16550A) and MSR reports the
 * modem lines of loopback mode, so that the driver finds the port.
 *
 * Output through the tty layer (what /init prints) is driven by the THRE
 * interrupt: while IER.THRI is set the transmitter is empty, so the IRQ
 * line is up; the driver clears THRI when it has nothing left to send,
 * which lowers the line, and sets it again for the next write, which
 * makes the edge that the ISA IRQ 4 pin of the IOAPIC needs. Nothing is
 * ever received: there is no input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vas-vmm.h"

#define SERIAL_BASE	0x3f8
#define SERIAL_IRQ	4

/* Registers, as offsets from the base */
#define UART_TX		0	/* THR (out), RBR (in); DLL with DLAB */
#define UART_IER	1	/* DLM with DLAB */
#define UART_IIR	2	/* in; FCR out */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_LCR_DLAB	0x80
#define UART_IER_THRI	0x02
#define UART_IIR_NO_INT	0x01
#define UART_IIR_THRI	0x02
#define UART_IIR_FIFO	0xc0
#define UART_MCR_LOOP	0x10
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40
#define UART_MSR_DCD	0x80
#define UART_MSR_DSR	0x20
#define UART_MSR_CTS	0x10

struct serial {
	struct vm *vm;
	uint8_t dll, dlm, ier, fcr, lcr, mcr, scr;
	int irq_level;
	char buf[256];
	size_t len;
};

struct serial *serial_create(struct vm *vm)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s) {
		error("out of memory");
		return NULL;
	}
	s->vm = vm;
	s->dll = 1;	/* 115200 baud */
	s->mcr = 0x08;	/* OUT2 */
	return s;
}

void serial_flush(struct serial *s)
{
	size_t off = 0;
	ssize_t n;

	while (off < s->len) {
		n = write(STDOUT_FILENO, s->buf + off, s->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* stdout gone: drop the console */
		off += n;
	}
	s->len = 0;
}

static void serial_putc(struct serial *s, uint8_t c)
{
	struct vm *vm = s->vm;

	if (!vm->console_bytes++)
		clock_gettime(CLOCK_MONOTONIC, &vm->t_console);
	s->buf[s->len++] = c;
	/* Lines as they come: each byte is an exit anyway */
	if (c == '\n' || s->len == sizeof(s->buf))
		serial_flush(s);
}

static void update_irq(struct serial *s)
{
	int level = !!(s->ier & UART_IER_THRI);

	if (level != s->irq_level) {
		s->irq_level = level;
		vm_irq_line(s->vm, SERIAL_IRQ, level);
	}
	/* The driver stopped sending for now: show what it sent */
	if (!level)
		serial_flush(s);
}

static uint8_t msr(struct serial *s)
{
	uint8_t m = 0;

	if (!(s->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	/* Loopback: DTR -> DSR, RTS -> CTS, OUT1 -> RI, OUT2 -> DCD */
	if (s->mcr & 0x01)
		m |= UART_MSR_DSR;
	if (s->mcr & 0x02)
		m |= UART_MSR_CTS;
	if (s->mcr & 0x04)
		m |= 0x40;
	if (s->mcr & 0x08)
		m |= UART_MSR_DCD;
	return m;
}

/* Handles one byte of port I/O; false if @port is not the UART's */
bool serial_io(struct serial *s, uint16_t port, bool out, uint8_t *val)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	if (port < SERIAL_BASE || port >= SERIAL_BASE + 8)
		return false;

	if (out) {
		switch (port - SERIAL_BASE) {
		case UART_TX:
			if (dlab)
				s->dll = *val;
			else if (!(s->mcr & UART_MCR_LOOP))
				serial_putc(s, *val);
			break;
		case UART_IER:
			if (dlab)
				s->dlm = *val;
			else
				s->ier = *val & 0x0f;
			break;
		case UART_IIR:
			s->fcr = *val;
			break;
		case UART_LCR:
			s->lcr = *val;
			break;
		case UART_MCR:
			s->mcr = *val & 0x1f;
			break;
		case UART_SCR:
			s->scr = *val;
			break;
		default:	/* LSR, MSR: factory test, ignored */
			break;
		}
		update_irq(s);
		return true;
	}

	switch (port - SERIAL_BASE) {
	case UART_TX:
		*val = dlab ? s->dll : 0;
		break;
	case UART_IER:
		*val = dlab ? s->dlm : s->ier;
		break;
	case UART_IIR:
		*val = UART_IIR_FIFO |
		       ((s->ier & UART_IER_THRI) ? UART_IIR_THRI :
						   UART_IIR_NO_INT);
		break;
	case UART_LCR:
		*val = s->lcr;
		break;
	case UART_MCR:
		*val = s->mcr;
		break;
	case UART_LSR:
		*val = UART_LSR_THRE | UART_LSR_TEMT;
		break;
	case UART_MSR:
		*val = msr(s);
		break;
	case UART_SCR:
		*val = s->scr;
		break;
	}
	return true;
}

void serial_destroy(struct serial *s)
{
	if (!s)
		return;
	serial_flush(s);
	if (s->irq_level)
		vm_irq_line(s->vm, SERIAL_IRQ, 0);
	free(s);
}
