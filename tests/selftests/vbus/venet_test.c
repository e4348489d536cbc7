// SPDX-License-Identifier: GPL-2.0-only
/*
 * A venet device driven by a userspace guest (vbus_guest.h) whose rings
 * and buffers live in a vas at guest-physical addresses that are not its
 * host addresses: its network interface appears in the host and follows
 * the guest's link, frames sent on it with AF_PACKET arrive intact in the
 * guest's receive buffers, frames the guest transmits arrive intact on
 * it, what does not fit is dropped and counted, every write lands in the
 * vas's dirty log, and the device goes away with its bus and not before
 * its connection.
 */
#include <stdlib.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_packet.h>
#include <linux/venet.h>

#include "kselftest_harness.h"
#include "vbus_guest.h"

#define NDESC		64		/* descriptors per ring */
#define SLOT		2048		/* bytes per buffer slot */
#define NFRAMES		100
#define ETHERTYPE	0x88b5		/* local experimental */
#define WAIT_MS		5000

/* Guest memory: call data, the rings, then the buffers of each ring */
#define CALL_GPA	(VBG_MEM_GPA + 0x0000)
#define TX_RING_GPA	(VBG_MEM_GPA + 0x1000)
#define RX_RING_GPA	(VBG_MEM_GPA + 0x2000)
#define TX_BUF_GPA	(VBG_MEM_GPA + 0x10000)
#define RX_BUF_GPA	(VBG_MEM_GPA + 0x40000)

/* Frame sizes the data path tests cycle through */
static const size_t frame_lens[] = { 42, 60, 64, 128, 1000, 1500, 1514 };
#define NLENS ARRAY_SIZE(frame_lens)

static size_t frame_len(uint32_t seq)
{
	return frame_lens[seq % NLENS];
}

/* An Ethernet frame of @len bytes numbered @seq, to the broadcast address */
static void make_frame(uint8_t *p, size_t len, uint32_t seq)
{
	size_t i;

	memset(p, 0xff, 6);
	memcpy(p + 6, "\x02\x00\x00\x00\x00\x01", 6);
	p[12] = ETHERTYPE >> 8;
	p[13] = ETHERTYPE & 0xff;
	memcpy(p + 14, &seq, sizeof(seq));
	for (i = 18; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i);
}

static void check_frame(struct __test_metadata *_metadata, const uint8_t *p,
			size_t len, uint32_t seq)
{
	uint8_t want[SLOT];

	make_frame(want, len, seq);
	ASSERT_EQ(0, memcmp(p, want, len)) {
		TH_LOG("frame %u of %zu bytes differs", seq, len);
	}
}

static uint64_t tx_slot_gpa(unsigned int slot)
{
	return TX_BUF_GPA + (uint64_t)slot * SLOT;
}

static uint64_t rx_slot_gpa(unsigned int slot)
{
	return RX_BUF_GPA + (uint64_t)slot * SLOT;
}

FIXTURE(venet) {
	struct vbg g;
	uint32_t dev, conn;
	char ifname[IFNAMSIZ];
	int ifindex;
	struct vbg_ring tx, rx;
	int inet;		/* for interface ioctls */
	int packet;		/* AF_PACKET on the interface, ETHERTYPE */
};

static int get_flags(FIXTURE_DATA(venet) *self, short *flags)
{
	struct ifreq ifr = {};

	memcpy(ifr.ifr_name, self->ifname, IFNAMSIZ);
	if (ioctl(self->inet, SIOCGIFFLAGS, &ifr))
		return -errno;
	*flags = ifr.ifr_flags;
	return 0;
}

/* Sets IFF_UP; as it takes RTNL, also waits for linkwatch in progress */
static int set_up(FIXTURE_DATA(venet) *self)
{
	struct ifreq ifr = {};
	short flags = 0;
	int ret = get_flags(self, &flags);

	if (ret)
		return ret;
	memcpy(ifr.ifr_name, self->ifname, IFNAMSIZ);
	ifr.ifr_flags = flags | IFF_UP;
	return ioctl(self->inet, SIOCSIFFLAGS, &ifr) ? -errno : 0;
}

/* Waits up to WAIT_MS for IFF_RUNNING to be @want: 0 or -ETIMEDOUT */
static int wait_running(FIXTURE_DATA(venet) *self, bool want)
{
	short flags = 0;
	int i, ret;

	for (i = 0; i < WAIT_MS / 10; i++) {
		ret = get_flags(self, &flags);
		if (ret)
			return ret;
		if (!!(flags & IFF_RUNNING) == want)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

/* /sys/class/net/<name>/<attr> as a string, or -errno */
static int read_sysfs(const char *ifname, const char *attr, char *buf,
		      size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static bool iface_exists(const char *ifname)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	return !stat(path, &st);
}

static long call(FIXTURE_DATA(venet) *self, uint32_t func, uint32_t len)
{
	return vbg_call(&self->g, self->conn, func, CALL_GPA, len);
}

/* VENET_FUNC_NEGCAP: the bits accepted, or -errno */
static long negcap(FIXTURE_DATA(venet) *self, uint32_t gid, uint32_t bits)
{
	struct venet_capabilities *caps = vbg_host(&self->g, CALL_GPA);
	long ret;

	caps->gid = gid;
	caps->bits = bits;
	ret = call(self, VENET_FUNC_NEGCAP, sizeof(*caps));
	if (ret < 0)
		return ret;
	if (ret != sizeof(*caps) || caps->gid != gid)
		return -EPROTO;
	return caps->bits;
}

static void get_stats(struct __test_metadata *_metadata,
		      FIXTURE_DATA(venet) *self, struct venet_stats *st)
{
	ASSERT_EQ(VENET_CAP_STATS, negcap(self, VENET_CAP_GROUP_GENERIC,
					  VENET_CAP_STATS));
	memset(vbg_host(&self->g, CALL_GPA), 0xaa, sizeof(*st));
	ASSERT_EQ(sizeof(*st), call(self, VENET_FUNC_STATS, sizeof(*st)));
	memcpy(st, vbg_host(&self->g, CALL_GPA), sizeof(*st));
}

/* Link up, and the qdisc running: frames sent from now on reach the device */
static void link_up(struct __test_metadata *_metadata,
		    FIXTURE_DATA(venet) *self)
{
	ASSERT_EQ(0, call(self, VENET_FUNC_LINKUP, 0));
	ASSERT_EQ(0, wait_running(self, true));
	ASSERT_EQ(0, set_up(self));
}

static void link_down(struct __test_metadata *_metadata,
		      FIXTURE_DATA(venet) *self)
{
	ASSERT_EQ(0, call(self, VENET_FUNC_LINKDOWN, 0));
	ASSERT_EQ(0, wait_running(self, false));
}

/* Sends @len bytes at @p on the interface, towards the guest */
static int send_frame(FIXTURE_DATA(venet) *self, const void *p, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = self->ifindex,
		.sll_halen = 6,
	};

	memset(sll.sll_addr, 0xff, 6);
	return sendto(self->packet, p, len, 0, (struct sockaddr *)&sll,
		      sizeof(sll)) == (ssize_t)len ? 0 : -errno;
}

/* Receives one frame the guest sent; -EAGAIN after @ms */
static ssize_t capture(FIXTURE_DATA(venet) *self, void *p, size_t len, int ms)
{
	struct pollfd pfd = { .fd = self->packet, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) != 1)
		return -EAGAIN;
	n = recv(self->packet, p, len, MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

/* Waits for the next descriptor the device hands back and takes it */
static bool reap(struct vbg_ring *r, struct ioq_ring_desc *d, int ms)
{
	return vbg_ring_wait(r, ms, NULL) && vbg_ring_reap(r, d);
}

static void post_rx(struct __test_metadata *_metadata,
		    FIXTURE_DATA(venet) *self, unsigned int slot, uint32_t len)
{
	ASSERT_TRUE(vbg_ring_post(&self->rx, rx_slot_gpa(slot), len, slot));
	vbg_ring_kick(&self->rx);
}

/* Posts TX frame @seq of @len bytes in slot @slot, the cookie its @seq */
static void post_tx(struct __test_metadata *_metadata,
		    FIXTURE_DATA(venet) *self, unsigned int slot, size_t len,
		    uint32_t seq)
{
	make_frame(vbg_host(&self->g, tx_slot_gpa(slot)), len, seq);
	ASSERT_TRUE(vbg_ring_post(&self->tx, tx_slot_gpa(slot), len, seq));
	vbg_ring_kick(&self->tx);
}

FIXTURE_SETUP(venet)
{
	struct vbus_intf_info info;
	int rcvbuf = 8 << 20, ret;

	self->inet = -1;
	self->packet = -1;
	self->tx.kick = -1;
	self->tx.call = -1;
	self->rx.kick = -1;
	self->rx.call = -1;
	ret = vbg_open(&self->g);
	ASSERT_EQ(0, ret) TH_LOG("opening the bus: %s", strerror(-ret));
	ret = vbg_load_module("vbus_venet");
	ASSERT_EQ(0, ret) TH_LOG("loading vbus_venet: %s", strerror(-ret));
	ASSERT_EQ(0, vbg_dev_create(&self->g, VENET_CLASS, &self->dev));

	ASSERT_EQ(0, vbg_find_intf(&self->g, self->dev, &info));
	ASSERT_STREQ(VENET_CLASS, info.devclass);
	ASSERT_STREQ(VENET_INTF, info.type);
	ASSERT_EQ(VENET_VERSION, info.version);
	ASSERT_EQ(0, strncmp(info.name, "venet", 5)) TH_LOG("name %s", info.name);
	ASSERT_GT(IFNAMSIZ, strlen(info.name));
	snprintf(self->ifname, sizeof(self->ifname), "%s", info.name);
	self->ifindex = if_nametoindex(self->ifname);
	ASSERT_NE(0, self->ifindex);

	ASSERT_EQ(0, vbg_conn_open(&self->g, self->dev, VENET_INTF,
				   VENET_VERSION, -1, &self->conn));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &self->tx, TX_RING_GPA, NDESC));
	ASSERT_EQ(0, vbg_ring_init(&self->g, &self->rx, RX_RING_GPA, NDESC));
	ASSERT_EQ(0, vbg_ring_attach(&self->g, self->conn, VENET_SHM_TX,
				     &self->tx));
	ASSERT_EQ(0, vbg_ring_attach(&self->g, self->conn, VENET_SHM_RX,
				     &self->rx));

	self->inet = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->inet);
	ASSERT_EQ(0, set_up(self));

	self->packet = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC,
			      htons(ETHERTYPE));
	ASSERT_LE(0, self->packet);
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETHERTYPE),
		.sll_ifindex = self->ifindex,
	};
	ASSERT_EQ(0, bind(self->packet, (struct sockaddr *)&sll, sizeof(sll)));
	/* room for every frame of a test, unread */
	ASSERT_EQ(0, setsockopt(self->packet, SOL_SOCKET, SO_RCVBUFFORCE,
				&rcvbuf, sizeof(rcvbuf)));
}

FIXTURE_TEARDOWN(venet)
{
	if (self->packet >= 0)
		close(self->packet);
	if (self->inet >= 0)
		close(self->inet);
	vbg_close(&self->g);
	vbg_ring_fini(&self->tx);
	vbg_ring_fini(&self->rx);
}

/* The guest learns the interface's address */
TEST_F(venet, mac_query_matches_the_interface)
{
	uint8_t *mac = vbg_host(&self->g, CALL_GPA);
	struct ifreq ifr = {};
	char addr[32], want[32];

	memset(mac, 0, 16);
	ASSERT_EQ(6, call(self, VENET_FUNC_MACQUERY, 6));
	memcpy(ifr.ifr_name, self->ifname, IFNAMSIZ);
	ASSERT_EQ(0, ioctl(self->inet, SIOCGIFHWADDR, &ifr));
	ASSERT_EQ(0, memcmp(mac, ifr.ifr_hwaddr.sa_data, 6));
	/* random: locally administered unicast, and nothing written beyond */
	ASSERT_EQ(0x02, mac[0] & 0x03);
	ASSERT_EQ(0, mac[6]);
	ASSERT_EQ(0, read_sysfs(self->ifname, "address", addr, sizeof(addr)));
	snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x\n",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	ASSERT_STREQ(want, addr);

	ASSERT_EQ(-EINVAL, call(self, VENET_FUNC_MACQUERY, 5));
	ASSERT_EQ(-EFAULT, vbg_call(&self->g, self->conn, VENET_FUNC_MACQUERY,
				    VBG_MEM_GPA + VBG_MEM_SIZE, 6));
}

/* The interface is in the host under the name VBUS_DEV_LIST gives */
TEST_F(venet, interface_is_listed)
{
	struct vbus_intf_info info;
	char type[16];
	uint32_t other = 0;

	ASSERT_TRUE(iface_exists(self->ifname));
	ASSERT_EQ(0, read_sysfs(self->ifname, "type", type, sizeof(type)));
	ASSERT_STREQ("1\n", type);	/* ARPHRD_ETHER */
	ASSERT_EQ(0, vbg_find_intf(&self->g, self->dev, &info));
	ASSERT_STREQ(self->ifname, info.name);

	/* a second device is a second interface */
	ASSERT_EQ(0, vbg_dev_create(&self->g, VENET_CLASS, &other));
	ASSERT_NE(self->dev, other);
	ASSERT_EQ(0, vbg_find_intf(&self->g, other, &info));
	ASSERT_STRNE(self->ifname, info.name);
	ASSERT_TRUE(iface_exists(info.name));
	ASSERT_EQ(0, vbg_dev_destroy(&self->g, other));
	ASSERT_FALSE(iface_exists(info.name));
}

/* The guest's link is the interface's carrier */
TEST_F(venet, link_up_and_down)
{
	char carrier[8];
	short flags = 0;

	ASSERT_EQ(0, read_sysfs(self->ifname, "carrier", carrier,
				sizeof(carrier)));
	ASSERT_STREQ("0\n", carrier);
	ASSERT_EQ(0, get_flags(self, &flags));
	ASSERT_EQ(0, flags & IFF_RUNNING);

	ASSERT_EQ(0, call(self, VENET_FUNC_LINKUP, 0));
	ASSERT_EQ(0, read_sysfs(self->ifname, "carrier", carrier,
				sizeof(carrier)));
	ASSERT_STREQ("1\n", carrier);
	ASSERT_EQ(0, wait_running(self, true));

	ASSERT_EQ(0, call(self, VENET_FUNC_LINKDOWN, 0));
	ASSERT_EQ(0, read_sysfs(self->ifname, "carrier", carrier,
				sizeof(carrier)));
	ASSERT_STREQ("0\n", carrier);
	ASSERT_EQ(0, wait_running(self, false));

	/* closing the connection takes the link down too */
	link_up(_metadata, self);
	ASSERT_EQ(0, vbg_conn_close(&self->g, self->conn));
	ASSERT_EQ(0, read_sysfs(self->ifname, "carrier", carrier,
				sizeof(carrier)));
	ASSERT_STREQ("0\n", carrier);
}

/* STATS is there once negotiated, and only then */
TEST_F(venet, negcap_accepts_stats_only)
{
	struct venet_stats *st = vbg_host(&self->g, CALL_GPA);

	ASSERT_EQ(-EPERM, call(self, VENET_FUNC_STATS, sizeof(*st)));
	ASSERT_EQ(-EINVAL, call(self, VENET_FUNC_NEGCAP,
				sizeof(struct venet_capabilities) - 1));
	/* an unknown group: nothing accepted, STATS still refused */
	ASSERT_EQ(0, negcap(self, 7, ~0U));
	ASSERT_EQ(-EPERM, call(self, VENET_FUNC_STATS, sizeof(*st)));
	/* of every bit offered, only STATS */
	ASSERT_EQ(VENET_CAP_STATS, negcap(self, VENET_CAP_GROUP_GENERIC, ~0U));
	memset(st, 0xaa, sizeof(*st));
	ASSERT_EQ(sizeof(*st), call(self, VENET_FUNC_STATS, sizeof(*st)));
	ASSERT_EQ(0, st->rx_packets);
	ASSERT_EQ(0, st->rx_bytes);
	ASSERT_EQ(0, st->rx_dropped);
	ASSERT_EQ(0, st->tx_packets);
	ASSERT_EQ(0, st->tx_bytes);
	ASSERT_EQ(0, st->tx_errors);
	ASSERT_EQ(-EINVAL, call(self, VENET_FUNC_STATS, sizeof(*st) - 1));
	/* another group leaves the generic one alone */
	ASSERT_EQ(0, negcap(self, 1, VENET_CAP_STATS));
	ASSERT_EQ(sizeof(*st), call(self, VENET_FUNC_STATS, sizeof(*st)));
	/* offering nothing withdraws it */
	ASSERT_EQ(0, negcap(self, VENET_CAP_GROUP_GENERIC, 0));
	ASSERT_EQ(-EPERM, call(self, VENET_FUNC_STATS, sizeof(*st)));
}

/* Frames the host sends fill the guest's buffers, one each, in order */
TEST_F(venet, host_to_guest_frames_arrive_intact)
{
	struct ioq_ring_desc d;
	struct venet_stats st;
	uint8_t frame[SLOT];
	uint64_t bytes = 0;
	uint32_t seq;
	unsigned int i;

	link_up(_metadata, self);
	for (i = 0; i < NDESC; i++)
		post_rx(_metadata, self, i, SLOT);
	/* more than the guest has buffers for: the rest wait */
	for (seq = 0; seq < NFRAMES; seq++) {
		make_frame(frame, frame_len(seq), seq);
		ASSERT_EQ(0, send_frame(self, frame, frame_len(seq)));
	}
	for (seq = 0; seq < NFRAMES; seq++) {
		ASSERT_TRUE(reap(&self->rx, &d, WAIT_MS))
			TH_LOG("frame %u did not arrive", seq);
		ASSERT_GT(NDESC, d.cookie);
		ASSERT_EQ(frame_len(seq), d.used);
		check_frame(_metadata, vbg_host(&self->g, rx_slot_gpa(d.cookie)),
			    d.used, seq);
		bytes += d.used;
		post_rx(_metadata, self, d.cookie, SLOT);
	}
	ASSERT_FALSE(vbg_ring_wait(&self->rx, 200, NULL));
	get_stats(_metadata, self, &st);
	ASSERT_EQ(NFRAMES, st.rx_packets);
	ASSERT_EQ(bytes, st.rx_bytes);
	ASSERT_EQ(0, st.rx_dropped);
}

/* Frames the guest transmits arrive on the interface, in order */
TEST_F(venet, guest_to_host_frames_arrive_intact)
{
	struct ioq_ring_desc d;
	struct venet_stats st;
	uint8_t frame[SLOT];
	uint64_t bytes = 0;
	uint32_t seq, done = 0;
	ssize_t n;

	link_up(_metadata, self);
	for (seq = 0; seq < NFRAMES; seq++) {
		/* the oldest slot is free again once its frame is sent */
		if (vbg_ring_outstanding(&self->tx) == NDESC) {
			ASSERT_TRUE(reap(&self->tx, &d, WAIT_MS));
			ASSERT_EQ(done, d.cookie);
			ASSERT_EQ(frame_len(done), d.used);
			done++;
		}
		post_tx(_metadata, self, seq % NDESC, frame_len(seq), seq);
		bytes += frame_len(seq);
	}
	for (; done < NFRAMES; done++) {
		ASSERT_TRUE(reap(&self->tx, &d, WAIT_MS));
		ASSERT_EQ(done, d.cookie);
		ASSERT_EQ(frame_len(done), d.used);
	}
	for (seq = 0; seq < NFRAMES; seq++) {
		n = capture(self, frame, sizeof(frame), WAIT_MS);
		ASSERT_EQ(frame_len(seq), n) TH_LOG("frame %u", seq);
		check_frame(_metadata, frame, n, seq);
	}
	ASSERT_EQ(-EAGAIN, capture(self, frame, sizeof(frame), 200));
	get_stats(_metadata, self, &st);
	ASSERT_EQ(NFRAMES, st.tx_packets);
	ASSERT_EQ(bytes, st.tx_bytes);
	ASSERT_EQ(0, st.tx_errors);
}

/* A frame larger than the guest's buffer is dropped; the next one arrives */
TEST_F(venet, frame_larger_than_the_buffer_is_dropped)
{
	struct ioq_ring_desc d;
	struct venet_stats st;
	uint8_t frame[SLOT];

	link_up(_metadata, self);
	post_rx(_metadata, self, 0, 128);
	post_rx(_metadata, self, 1, 128);
	make_frame(frame, 600, 1);
	ASSERT_EQ(0, send_frame(self, frame, 600));
	make_frame(frame, 128, 2);
	ASSERT_EQ(0, send_frame(self, frame, 128));

	ASSERT_TRUE(reap(&self->rx, &d, WAIT_MS));
	ASSERT_EQ(0, d.cookie);
	ASSERT_EQ(0, d.used);
	ASSERT_TRUE(reap(&self->rx, &d, WAIT_MS));
	ASSERT_EQ(1, d.cookie);
	ASSERT_EQ(128, d.used);
	check_frame(_metadata, vbg_host(&self->g, rx_slot_gpa(1)), 128, 2);

	get_stats(_metadata, self, &st);
	ASSERT_EQ(1, st.rx_packets);
	ASSERT_EQ(128, st.rx_bytes);
	ASSERT_EQ(1, st.rx_dropped);
}

/* Frames the guest cannot send come back with used 0 and are counted */
TEST_F(venet, bad_guest_frames_come_back_unused)
{
	struct ioq_ring_desc d;
	struct venet_stats st;
	uint8_t frame[SLOT];
	int i;

	/* the link is down */
	post_tx(_metadata, self, 0, 100, 0);
	ASSERT_TRUE(reap(&self->tx, &d, WAIT_MS));
	ASSERT_EQ(0, d.used);

	link_up(_metadata, self);
	post_tx(_metadata, self, 1, VENET_MAX_FRAME + 1, 1);	/* too long */
	post_tx(_metadata, self, 2, 13, 2);			/* too short */
	/* outside guest memory */
	ASSERT_TRUE(vbg_ring_post(&self->tx, VBG_MEM_GPA + VBG_MEM_SIZE, 100,
				  3));
	post_tx(_metadata, self, 4, VENET_MAX_FRAME, 4);	/* longest */
	for (i = 1; i <= 4; i++) {
		ASSERT_TRUE(reap(&self->tx, &d, WAIT_MS));
		ASSERT_EQ(i, d.cookie);
		ASSERT_EQ(i == 4 ? VENET_MAX_FRAME : 0, d.used);
	}
	ASSERT_EQ(VENET_MAX_FRAME, capture(self, frame, sizeof(frame),
					   WAIT_MS));
	check_frame(_metadata, frame, VENET_MAX_FRAME, 4);
	ASSERT_EQ(-EAGAIN, capture(self, frame, sizeof(frame), 200));

	get_stats(_metadata, self, &st);
	ASSERT_EQ(1, st.tx_packets);
	ASSERT_EQ(VENET_MAX_FRAME, st.tx_bytes);
	ASSERT_EQ(4, st.tx_errors);
}

/* Frames waiting for buffers are dropped when the link goes down */
TEST_F(venet, link_down_drops_waiting_frames)
{
	struct ioq_ring_desc d;
	struct venet_stats st;
	uint8_t frame[SLOT];
	uint32_t seq;

	link_up(_metadata, self);
	for (seq = 0; seq < 5; seq++) {
		make_frame(frame, 100, seq);
		ASSERT_EQ(0, send_frame(self, frame, 100));
	}
	link_down(_metadata, self);
	link_up(_metadata, self);
	post_rx(_metadata, self, 0, SLOT);
	post_rx(_metadata, self, 1, SLOT);
	make_frame(frame, 100, 99);
	ASSERT_EQ(0, send_frame(self, frame, 100));
	ASSERT_TRUE(reap(&self->rx, &d, WAIT_MS));
	ASSERT_EQ(100, d.used);
	check_frame(_metadata, vbg_host(&self->g, rx_slot_gpa(0)), 100, 99);
	ASSERT_FALSE(vbg_ring_wait(&self->rx, 200, NULL));

	get_stats(_metadata, self, &st);
	ASSERT_EQ(1, st.rx_packets);
	ASSERT_EQ(5, st.rx_dropped);
}

/* One connection at a time; another once it is closed */
TEST_F(venet, second_connection_is_busy)
{
	uint32_t other = 0;

	ASSERT_EQ(-EBUSY, vbg_conn_open(&self->g, self->dev, VENET_INTF,
					VENET_VERSION, -1, &other));
	ASSERT_EQ(0, vbg_conn_close(&self->g, self->conn));
	ASSERT_EQ(0, vbg_conn_open(&self->g, self->dev, VENET_INTF,
				   VENET_VERSION, -1, &self->conn));
	/* it starts with nothing negotiated */
	ASSERT_EQ(-EPERM, call(self, VENET_FUNC_STATS,
			       sizeof(struct venet_stats)));
	ASSERT_EQ(6, call(self, VENET_FUNC_MACQUERY, 6));
}

TEST_F(venet, other_versions_are_refused)
{
	uint32_t other = 0;

	ASSERT_EQ(-EPROTONOSUPPORT, vbg_conn_open(&self->g, self->dev,
						  VENET_INTF, 2, -1, &other));
	ASSERT_EQ(-EPROTONOSUPPORT, vbg_conn_open(&self->g, self->dev,
						  VENET_INTF, 0, -1, &other));
	ASSERT_EQ(-ENOENT, vbg_conn_open(&self->g, self->dev, "echo",
					 VENET_VERSION, -1, &other));
}

TEST_F(venet, unknown_calls_and_regions_are_refused)
{
	struct vbus_conn_shm args = {
		.size = sizeof(args),
		.shm_id = 2,
		.gpa = VBG_MEM_GPA + 0x3000,
		.len = 4096,
		.kick_fd = -1,
		.call_fd = -1,
	};

	ASSERT_EQ(-EINVAL, call(self, VENET_FUNC_STATS + 1, 0));
	ASSERT_EQ(-EINVAL, call(self, ~0U, 64));

	/* on a connection without rings: no region 2, no ring without signal */
	ASSERT_EQ(0, vbg_conn_close(&self->g, self->conn));
	ASSERT_EQ(0, vbg_conn_open(&self->g, self->dev, VENET_INTF,
				   VENET_VERSION, -1, &self->conn));
	args.id = self->conn;
	ASSERT_EQ(-1, ioctl(self->g.bus, VBUS_CONN_SHM, &args));
	ASSERT_EQ(EINVAL, errno);
	args.shm_id = VENET_SHM_TX;
	args.gpa = TX_RING_GPA;
	ASSERT_EQ(-1, ioctl(self->g.bus, VBUS_CONN_SHM, &args));
	ASSERT_EQ(EINVAL, errno);
	/* with it, the same region is taken */
	self->tx.head->head = 0;
	self->tx.head->tail = 0;
	self->tx.next = 0;
	self->tx.reap = 0;
	ASSERT_EQ(0, vbg_ring_attach(&self->g, self->conn, VENET_SHM_TX,
				     &self->tx));
}

/* Every buffer page the device wrote is in the vas's dirty log */
TEST_F(venet, writes_land_in_the_dirty_log)
{
	uint64_t bitmap[VBG_MEM_SIZE / 4096 / 64] = {};
	struct vas_dirty_log log = {
		.size = sizeof(log),
		.slot = VBG_SLOT,
		.bitmap = (uintptr_t)bitmap,
	};
	struct vas_set_memslot slot = {
		.size = sizeof(slot),
		.flags = VAS_MEM_LOG_DIRTY_PAGES,
		.slot = VBG_SLOT,
		.guest_phys_addr = VBG_MEM_GPA,
		.memory_size = VBG_MEM_SIZE,
		.userspace_addr = (uintptr_t)self->g.mem,
	};
	struct ioq_ring_desc d;
	uint8_t frame[SLOT];
	uint64_t page;
	int i;

	link_up(_metadata, self);
	ASSERT_EQ(0, ioctl(self->g.vas, VAS_SET_MEMSLOT, &slot));
	/* clear what the setup wrote */
	ASSERT_EQ(0, ioctl(self->g.vas, VAS_GET_DIRTY_LOG, &log));
	/* slots 0, 4, 8...: every other buffer page */
	for (i = 0; i < 8; i++)
		post_rx(_metadata, self, 4 * i, SLOT);
	for (i = 0; i < 8; i++) {
		make_frame(frame, 1000, i);
		ASSERT_EQ(0, send_frame(self, frame, 1000));
	}
	for (i = 0; i < 8; i++) {
		ASSERT_TRUE(reap(&self->rx, &d, WAIT_MS));
		ASSERT_EQ(4 * i, d.cookie);
		ASSERT_EQ(1000, d.used);
		check_frame(_metadata, vbg_host(&self->g, rx_slot_gpa(4 * i)),
			    1000, i);
	}
	memset(bitmap, 0, sizeof(bitmap));
	ASSERT_EQ(0, ioctl(self->g.vas, VAS_GET_DIRTY_LOG, &log));
#define DIRTY(gpa) (page = ((gpa) - VBG_MEM_GPA) / 4096, \
		    (bitmap[page / 64] >> (page % 64)) & 1)
	for (i = 0; i < 8; i++) {
		ASSERT_TRUE(DIRTY(rx_slot_gpa(4 * i)));
		ASSERT_FALSE(DIRTY(rx_slot_gpa(4 * i + 2)));
	}
	ASSERT_TRUE(DIRTY(RX_RING_GPA));	/* mapped: always dirty */
	ASSERT_FALSE(DIRTY(TX_BUF_GPA));
	ASSERT_FALSE(DIRTY(CALL_GPA));
#undef DIRTY
}

/* A device with a connection stays; without, it goes with its interface */
TEST_F(venet, destroy_waits_for_the_connection)
{
	struct vbus_intf_info info;

	ASSERT_EQ(-EBUSY, vbg_dev_destroy(&self->g, self->dev));
	ASSERT_TRUE(iface_exists(self->ifname));
	ASSERT_EQ(0, vbg_conn_close(&self->g, self->conn));
	ASSERT_EQ(0, vbg_dev_destroy(&self->g, self->dev));
	ASSERT_FALSE(iface_exists(self->ifname));
	ASSERT_EQ(0, if_nametoindex(self->ifname));
	ASSERT_EQ(-ENOENT, vbg_find_intf(&self->g, self->dev, &info));
	ASSERT_EQ(-ENOENT, vbg_dev_destroy(&self->g, self->dev));
}

/* Closing the bus in the middle of traffic takes the interface away */
TEST_F(venet, closing_the_bus_removes_the_interface)
{
	uint8_t frame[SLOT];
	int i;

	link_up(_metadata, self);
	for (i = 0; i < 8; i++)
		post_rx(_metadata, self, i, SLOT);
	for (i = 0; i < 32; i++) {
		make_frame(frame, 1000, i);
		ASSERT_EQ(0, send_frame(self, frame, 1000));
		post_tx(_metadata, self, i, 1000, i);
	}
	close(self->g.bus);
	self->g.bus = -1;
	ASSERT_FALSE(iface_exists(self->ifname));
	ASSERT_EQ(0, if_nametoindex(self->ifname));
}

/* The module cannot go while a device exists; it can once none does */
TEST_F(venet, module_unload_refused_while_a_device_exists)
{
	ASSERT_EQ(-1, syscall(__NR_delete_module, "vbus_venet", O_NONBLOCK));
	ASSERT_EQ(EWOULDBLOCK, errno);
	ASSERT_EQ(0, vbg_conn_close(&self->g, self->conn));
	ASSERT_EQ(-1, syscall(__NR_delete_module, "vbus_venet", O_NONBLOCK));
	ASSERT_EQ(EWOULDBLOCK, errno);
	close(self->packet);
	self->packet = -1;
	vbg_close(&self->g);
	ASSERT_EQ(0, syscall(__NR_delete_module, "vbus_venet", O_NONBLOCK));
	ASSERT_EQ(0, vbg_load_module("vbus_venet"));
}

TEST_HARNESS_MAIN
