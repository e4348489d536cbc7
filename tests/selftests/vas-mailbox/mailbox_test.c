// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the sample backend samples/vas/vas-mailbox.c: the module is
 * loaded like any driver (finit_module(), as insmod does), bound to a vas
 * through its fd, and driven by a "guest" in this process whose memory is
 * reached at guest-physical addresses that differ from its own.
 */
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "../vas/vas_util.h"
#include "vas-mailbox.h"

#define MODULE_PATH	"/modules/vas-mailbox.ko"
#define MODULE_NAME	"vas_mailbox"
#define GPA		0x40000000ULL	/* memslot 0: 8 pages */
#define GPA2		(GPA + 8 * PAGE)	/* memslot 1, right after it */
#define MBOX_OFF	(PAGE - 16)	/* the mailbox straddles two pages */

static int open_mailbox(void)
{
	int fd = open("/dev/vas-mailbox", O_RDWR);
	int mfd;

	if (fd >= 0 || errno != ENOENT)
		return fd;
	mfd = open(MODULE_PATH, O_RDONLY);
	if (mfd < 0)
		return -1;
	if (syscall(__NR_finit_module, mfd, "", 0) && errno != EEXIST) {
		close(mfd);
		return -1;
	}
	close(mfd);
	return open("/dev/vas-mailbox", O_RDWR);
}

static int mailbox_bind(int dev, int vas_fd, uint64_t gpa)
{
	struct vas_mailbox_bind bind = {
		.size = sizeof(bind),
		.vas_fd = vas_fd,
		.mailbox_gpa = gpa,
	};

	return ioctl(dev, VAS_MAILBOX_BIND, &bind) ? -errno : 0;
}

/* Rings the doorbell; returns -errno, or whether a request was served */
static int mailbox_kick(int dev)
{
	struct vas_mailbox_kick kick = { .size = sizeof(kick) };

	return ioctl(dev, VAS_MAILBOX_KICK, &kick) ? -errno : (int)kick.served;
}

FIXTURE(mailbox) {
	int vas;
	int dev;
	unsigned char *mem;	/* 16 pages: memslot 0, then memslot 1 */
};

FIXTURE_SETUP(mailbox)
{
	self->dev = open_mailbox();
	ASSERT_LE(0, self->dev) TH_LOG("%s: %s", MODULE_PATH, strerror(errno));
	self->vas = sys_vas_create(0);
	ASSERT_LE(0, self->vas);
	self->mem = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	ASSERT_EQ(0, set_memslot(self->vas, 0, VAS_MEM_LOG_DIRTY_PAGES, GPA,
				 8 * PAGE, self->mem));
	ASSERT_EQ(0, set_memslot(self->vas, 1, VAS_MEM_LOG_DIRTY_PAGES, GPA2,
				 8 * PAGE, self->mem + 8 * PAGE));
}

FIXTURE_TEARDOWN(mailbox)
{
	close(self->dev);
	close(self->vas);
	munmap(self->mem, 16 * PAGE);
}

/* The guest's side: a request in the mailbox at @mbox (host address) */
static void post(struct vas_mailbox *mbox, uint32_t len, uint64_t data_gpa,
		 uint64_t reply_gpa)
{
	mbox->len = len;
	mbox->data_gpa = data_gpa;
	mbox->reply_gpa = reply_gpa;
	__atomic_store_n(&mbox->request, mbox->request + 1, __ATOMIC_RELEASE);
}

static struct vas_mailbox *mbox_at(FIXTURE_DATA(mailbox) *self)
{
	return (struct vas_mailbox *)(self->mem + MBOX_OFF);
}

/* A payload across the two memslots comes back reversed, once. */
TEST_F(mailbox, request_and_reply)
{
	struct vas_mailbox *mbox = mbox_at(self);
	unsigned char *data = self->mem + 8 * PAGE - 100;
	unsigned char *reply = self->mem + 12 * PAGE + 7;
	uint32_t i, len = 300;

	ASSERT_EQ(0, mailbox_bind(self->dev, self->vas, GPA + MBOX_OFF));
	EXPECT_EQ(0, mailbox_kick(self->dev));	/* nothing posted yet */
	for (i = 0; i < len; i++)
		data[i] = i * 7 + 1;
	post(mbox, len, GPA2 - 100, GPA2 + 4 * PAGE + 7);
	EXPECT_EQ(1, mailbox_kick(self->dev));
	EXPECT_EQ(mbox->request, __atomic_load_n(&mbox->reply, __ATOMIC_ACQUIRE));
	EXPECT_EQ(0, mbox->status);
	for (i = 0; i < len; i++)
		ASSERT_EQ(data[len - 1 - i], reply[i]) TH_LOG("byte %u", i);
	EXPECT_EQ(0, reply[len]);
	EXPECT_EQ(0, reply[-1]);
	EXPECT_EQ(0, mailbox_kick(self->dev));	/* answered already */

	/* an empty payload is a request too */
	post(mbox, 0, 0, 0);
	EXPECT_EQ(1, mailbox_kick(self->dev));
	EXPECT_EQ(0, mbox->status);
}

/* What the device wrote, and only that, is in the vas's one dirty log. */
TEST_F(mailbox, writes_are_in_the_dirty_log)
{
	struct vas_mailbox *mbox = mbox_at(self);
	uint64_t bitmap;

	ASSERT_EQ(0, mailbox_bind(self->dev, self->vas, GPA + MBOX_OFF));
	ASSERT_EQ(0, get_dirty_log(self->vas, 0, 0, &bitmap));
	ASSERT_EQ(0, get_dirty_log(self->vas, 1, 0, &bitmap));
	post(mbox, 2 * PAGE, GPA + 4 * PAGE, GPA2 + 5 * PAGE + 1);
	ASSERT_EQ(1, mailbox_kick(self->dev));
	ASSERT_EQ(0, mbox->status);
	/* memslot 0: the mailbox's two pages (writable vmap); data only read */
	ASSERT_EQ(0, get_dirty_log(self->vas, 0, 0, &bitmap));
	EXPECT_EQ(0x3ULL, bitmap);
	/* memslot 1: the reply's three pages */
	ASSERT_EQ(0, get_dirty_log(self->vas, 1, 0, &bitmap));
	EXPECT_EQ(0x7ULL << 5, bitmap);
}

/* Each request's own errors go to the mailbox, not to the doorbell. */
TEST_F(mailbox, bad_requests)
{
	struct vas_mailbox *mbox = mbox_at(self);
	unsigned char *ro;

	ASSERT_EQ(0, mailbox_bind(self->dev, self->vas, GPA + MBOX_OFF));
	post(mbox, VAS_MAILBOX_MAX_LEN + 1, GPA + 4 * PAGE, GPA + 4 * PAGE);
	EXPECT_EQ(1, mailbox_kick(self->dev));
	EXPECT_EQ(-EINVAL, mbox->status);
	/* payload in a hole; reply running off the end of guest memory */
	post(mbox, 16, GPA - 8, GPA + 4 * PAGE);
	EXPECT_EQ(1, mailbox_kick(self->dev));
	EXPECT_EQ(-EFAULT, mbox->status);
	post(mbox, 16, GPA + 4 * PAGE, GPA2 + 8 * PAGE - 8);
	EXPECT_EQ(1, mailbox_kick(self->dev));
	EXPECT_EQ(-EFAULT, mbox->status);
	post(mbox, 16, GPA + 4 * PAGE, ~0ULL - 4);
	EXPECT_EQ(1, mailbox_kick(self->dev));
	EXPECT_EQ(-EINVAL, mbox->status);

	/* a reply into read-only memory */
	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, set_memslot(self->vas, 2, VAS_MEM_READONLY, 0x1000, PAGE, ro));
	post(mbox, 16, GPA + 4 * PAGE, 0x1000);
	EXPECT_EQ(1, mailbox_kick(self->dev));
	EXPECT_EQ(-EPERM, mbox->status);
	EXPECT_EQ(0, ro[0]);
	munmap(ro, PAGE);
}

/*
 * The device follows the layout: a mailbox whose memslot went away cannot
 * be reached, and once the VMM puts memory there again, the device uses
 * that memory, never the old one.
 */
TEST_F(mailbox, follows_memslot_changes)
{
	struct vas_mailbox *old = mbox_at(self), *new;
	unsigned char *mem2;

	ASSERT_EQ(0, mailbox_bind(self->dev, self->vas, GPA + MBOX_OFF));
	post(old, 4, GPA + 4 * PAGE, GPA + 5 * PAGE);
	ASSERT_EQ(1, mailbox_kick(self->dev));

	/* memslot 0 moves away: a hole under the mailbox */
	ASSERT_EQ(0, set_memslot(self->vas, 0, 0, GPA + 64 * PAGE, 8 * PAGE,
				 self->mem));
	post(old, 4, GPA2, GPA2 + PAGE);
	EXPECT_EQ(-EFAULT, mailbox_kick(self->dev));
	EXPECT_NE(old->request, old->reply);

	/* other memory at the mailbox's address: the device serves from it */
	mem2 = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem2);
	ASSERT_EQ(0, set_memslot(self->vas, 3, 0, GPA, 8 * PAGE, mem2));
	new = (struct vas_mailbox *)(mem2 + MBOX_OFF);
	memcpy(mem2 + 4 * PAGE, "abc", 3);
	post(new, 3, GPA + 4 * PAGE, GPA + 5 * PAGE);
	EXPECT_EQ(1, mailbox_kick(self->dev));
	EXPECT_EQ(0, new->status);
	EXPECT_EQ(0, memcmp(mem2 + 5 * PAGE, "cba", 3));
	EXPECT_NE(old->request, old->reply);

	/* read-only now: the mailbox cannot be written */
	ASSERT_EQ(0, set_memslot(self->vas, 3, VAS_MEM_READONLY, GPA, 8 * PAGE,
				 mem2));
	post(new, 3, GPA + 4 * PAGE, GPA2);
	EXPECT_EQ(-EPERM, mailbox_kick(self->dev));
	munmap(mem2, 8 * PAGE);
}

/* The VMM replacing the memory behind the mailbox is followed too. */
TEST_F(mailbox, follows_the_owner_remapping)
{
	struct vas_mailbox *mbox = mbox_at(self);

	ASSERT_EQ(0, mailbox_bind(self->dev, self->vas, GPA + MBOX_OFF));
	post(mbox, 2, GPA + 2 * PAGE, GPA + 3 * PAGE);
	ASSERT_EQ(1, mailbox_kick(self->dev));
	/* fresh zero pages under the mailbox: request 0, reply 0, idle */
	ASSERT_NE(MAP_FAILED, mmap(self->mem, 2 * PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	EXPECT_EQ(0, mailbox_kick(self->dev));
	memcpy(self->mem + 2 * PAGE, "xy", 2);
	post(mbox, 2, GPA + 2 * PAGE, GPA + 3 * PAGE);
	EXPECT_EQ(1, mailbox_kick(self->dev));
	EXPECT_EQ(0, memcmp(self->mem + 3 * PAGE, "yx", 2));
	/* unmapped: not guest memory any more */
	ASSERT_EQ(0, munmap(self->mem, PAGE));
	EXPECT_EQ(-EFAULT, mailbox_kick(self->dev));
}

TEST_F(mailbox, bind_errors)
{
	struct vas_mailbox_bind bind = { .size = sizeof(bind), .vas_fd = self->vas,
					 .mailbox_gpa = GPA };
	struct {
		struct vas_mailbox_bind bind;
		uint64_t extra;
	} big = { .bind = bind, .extra = 1 };
	int efd = eventfd(0, 0), other;

	ASSERT_LE(0, efd);
	EXPECT_EQ(-ENXIO, mailbox_kick(self->dev));
	EXPECT_EQ(-EBADF, mailbox_bind(self->dev, -1, GPA));
	EXPECT_EQ(-EINVAL, mailbox_bind(self->dev, efd, GPA));
	EXPECT_EQ(-EINVAL, mailbox_bind(self->dev, self->vas, GPA + 4));
	EXPECT_EQ(-EFAULT, mailbox_bind(self->dev, self->vas, GPA - 8));
	EXPECT_EQ(-EFAULT, mailbox_bind(self->dev, self->vas, GPA2 - 8));
	bind.flags = 1;
	EXPECT_EQ(-1, ioctl(self->dev, VAS_MAILBOX_BIND, &bind));
	EXPECT_EQ(EINVAL, errno);
	bind.flags = 0;
	bind.__reserved = 1;
	EXPECT_EQ(-1, ioctl(self->dev, VAS_MAILBOX_BIND, &bind));
	EXPECT_EQ(EINVAL, errno);
	bind.__reserved = 0;
	bind.size = 8;
	EXPECT_EQ(-1, ioctl(self->dev, VAS_MAILBOX_BIND, &bind));
	EXPECT_EQ(EINVAL, errno);
	big.bind.size = sizeof(big);
	EXPECT_EQ(-1, ioctl(self->dev, VAS_MAILBOX_BIND, &big));
	EXPECT_EQ(E2BIG, errno);
	big.bind.size = 2 * PAGE;
	EXPECT_EQ(-1, ioctl(self->dev, VAS_MAILBOX_BIND, &big));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, ioctl(self->dev, _IO(VAS_MAILBOX_TYPE, 0x2f), &bind));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->dev, VAS_MAILBOX_BIND, NULL));
	EXPECT_EQ(EFAULT, errno);

	/* a read-only memslot cannot hold the mailbox */
	ASSERT_EQ(0, set_memslot(self->vas, 1, VAS_MEM_READONLY, GPA2, 8 * PAGE,
				 self->mem + 8 * PAGE));
	EXPECT_EQ(-EPERM, mailbox_bind(self->dev, self->vas, GPA2));
	EXPECT_EQ(-ENXIO, mailbox_kick(self->dev));

	EXPECT_EQ(0, mailbox_bind(self->dev, self->vas, GPA));
	EXPECT_EQ(-EBUSY, mailbox_bind(self->dev, self->vas, GPA));
	other = sys_vas_create(0);
	ASSERT_LE(0, other);
	EXPECT_EQ(-EBUSY, mailbox_bind(self->dev, other, GPA));
	close(other);
	close(efd);
}

/* Pinning the mailbox counts against the VMM's RLIMIT_MEMLOCK. */
TEST_F(mailbox, mailbox_pin_is_charged_to_the_owner)
{
	struct rlimit old, none = { 0, 0 };
	int vas;

	ASSERT_EQ(0, set_cap_ipc_lock(0));
	vas = sys_vas_create(0);
	ASSERT_EQ(0, set_cap_ipc_lock(1));
	ASSERT_LE(0, vas);
	ASSERT_EQ(0, set_memslot(vas, 0, 0, GPA, 8 * PAGE, self->mem));
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &old));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &none));
	EXPECT_EQ(-ENOMEM, mailbox_bind(self->dev, vas, GPA));
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &old));
	EXPECT_EQ(0, mailbox_bind(self->dev, vas, GPA));
	close(vas);
}

/*
 * A device held by another process than the VMM: it keeps the vas alive,
 * and once the VMM has exited the mailbox is gone (-ESRCH).
 */
TEST_F(mailbox, foreign_device_and_owner_exit)
{
	int sv[2], vfd;
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork_vas_owner(sv, GPA, 0);
	ASSERT_LT(0, pid);
	vfd = recv_fd(sv[0]);
	ASSERT_LE(0, vfd);
	/* the owner's page holds zeros: request == reply, idle */
	ASSERT_EQ(0, mailbox_bind(self->dev, vfd, GPA + 64));
	close(vfd);
	EXPECT_EQ(0, mailbox_kick(self->dev));
	EXPECT_EQ(0, finish_vas_owner(sv, pid, 0, 0));
	EXPECT_EQ(-ESRCH, mailbox_kick(self->dev));
	close(sv[0]);
	close(sv[1]);
}

/* While a device is open its module stays; then it unloads and reloads. */
TEST_F(mailbox, module_stays_while_a_device_is_open)
{
	EXPECT_EQ(-1, syscall(__NR_delete_module, MODULE_NAME, O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	close(self->dev);
	ASSERT_EQ(0, syscall(__NR_delete_module, MODULE_NAME, O_NONBLOCK));
	EXPECT_EQ(-1, open("/dev/vas-mailbox", O_RDWR));
	self->dev = open_mailbox();
	ASSERT_LE(0, self->dev);
}

TEST_HARNESS_MAIN
