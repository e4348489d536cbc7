// SPDX-License-Identifier: GPL-2.0-only
/*
 * vbus: a virtual bus for in-kernel device models on a vas
 *
 * Each open of /dev/vbus is one bus, owned by its file: the VMM binds it to
 * a vas, creates devices on it by class name, and connects the guest to
 * them (connection.c). The last close of the file closes every connection
 * and destroys every device, so nothing is left behind when the VMM dies.
 * That replaces the 2009 administration (configfs objects plus a bus
 * membership per task, which needed hooks in fork and exit and outlived
 * the VMM) with the ioctl model its author moved to, on the fd-owned vas.
 *
 * The 2009 devices were created globally and then attached to a bus
 * (bus_connect/bus_disconnect); here a device is created on its bus and
 * dies with it, so create() and release() are all a class needs.
 *
 * The ioctls take size-first structures (<uapi/linux/vbus.h>) and are
 * numbered in the vas range (0xB9 0x40-0x4F).
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vas.h>

#include "vbus_private.h"

static long vbus_set_vas(struct vbus *bus, void __user *argp)
{
	struct vbus_set_vas args;
	struct vas *vas;
	long err;

	err = vbus_copy_args(&args, sizeof(args), argp);
	if (err)
		return err;
	if (args.flags || args.__reserved)
		return -EINVAL;
	vas = vas_get_from_fd(args.vas_fd);
	if (IS_ERR(vas))
		return PTR_ERR(vas);

	mutex_lock(&bus->lock);
	if (bus->memctx.vas) {
		err = -EBUSY;
	} else {
		bus->memctx.vas = vas;
		vas = NULL;
	}
	mutex_unlock(&bus->lock);
	if (vas)
		vas_put(vas);
	return err;
}

/* The device has no connection and is off the bus */
static void vbus_device_release(struct vbus_device *dev)
{
	struct vbus_devclass *dc = dev->devclass;

	dev->ops->release(dev);
	vbus_devclass_put(dc);
}

static long vbus_dev_create(struct vbus *bus, void __user *argp)
{
	struct vbus_dev_create args;
	struct vbus_devclass *dc;
	struct vbus_device *dev;
	long err;
	u32 id;

	err = vbus_copy_args(&args, sizeof(args), argp);
	if (err)
		return err;
	if (args.flags || args.__reserved || !vbus_name_valid(args.devclass))
		return -EINVAL;
	dc = vbus_devclass_get(args.devclass);
	if (!dc)
		return -ENOENT;
	dev = dc->ops->create(dc);
	if (IS_ERR(dev)) {
		vbus_devclass_put(dc);
		return PTR_ERR(dev);
	}
	dev->devclass = dc;
	dev->nr_conns = 0;

	/* The id is reserved until the VMM has it: nothing finds it before */
	mutex_lock(&bus->lock);
	err = xa_alloc(&bus->devices, &id, NULL,
		       XA_LIMIT(1, VBUS_MAX_DEVICES), GFP_KERNEL_ACCOUNT);
	mutex_unlock(&bus->lock);
	if (err)
		goto err_release;
	dev->id = id;

	args.id = id;
	err = copy_to_user(argp, &args, sizeof(args)) ? -EFAULT : 0;
	mutex_lock(&bus->lock);
	if (err)
		xa_erase(&bus->devices, id);
	else
		xa_store(&bus->devices, id, dev, GFP_KERNEL_ACCOUNT);
	mutex_unlock(&bus->lock);
	if (err)
		goto err_release;
	return 0;

err_release:
	vbus_device_release(dev);
	return err == -EBUSY ? -ENOSPC : err;
}

static long vbus_dev_destroy(struct vbus *bus, void __user *argp)
{
	struct vbus_dev_destroy args;
	struct vbus_device *dev;
	long err;

	err = vbus_copy_args(&args, sizeof(args), argp);
	if (err)
		return err;
	if (args.flags || args.__reserved)
		return -EINVAL;

	mutex_lock(&bus->lock);
	dev = xa_load(&bus->devices, args.id);
	if (!dev)
		err = -ENOENT;
	else if (dev->nr_conns)
		err = -EBUSY;
	else
		xa_erase(&bus->devices, args.id);
	mutex_unlock(&bus->lock);
	if (!err)
		vbus_device_release(dev);
	return err;
}

static long vbus_dev_list(struct vbus *bus, void __user *argp)
{
	struct vbus_intf_info __user *uinfo;
	struct vbus_intf_info info;
	struct vbus_dev_list args;
	struct vbus_device *dev;
	unsigned long id;
	u32 total = 0;
	long err;
	int i;

	err = vbus_copy_args(&args, sizeof(args), argp);
	if (err)
		return err;
	if (args.flags || args.__reserved)
		return -EINVAL;
	uinfo = u64_to_user_ptr(args.intfs);

	mutex_lock(&bus->lock);
	xa_for_each(&bus->devices, id, dev) {
		for (i = 0; i < dev->nr_intfs; i++, total++) {
			if (total >= args.num_intfs)
				continue;
			memset(&info, 0, sizeof(info));
			info.dev_id = dev->id;
			info.version = dev->intfs[i].version;
			strscpy(info.devclass, dev->devclass->name);
			strscpy(info.type, dev->intfs[i].type);
			strscpy(info.name, dev->name);
			if (copy_to_user(&uinfo[total], &info, sizeof(info)))
				err = -EFAULT;
		}
	}
	mutex_unlock(&bus->lock);
	if (err)
		return err;

	if (put_user(total, &((struct vbus_dev_list __user *)argp)->num_intfs))
		return -EFAULT;
	return total > args.num_intfs ? -EMSGSIZE : 0;
}

static long vbus_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vbus *bus = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VBUS_SET_VAS:
		return vbus_set_vas(bus, argp);
	case VBUS_DEV_CREATE:
		return vbus_dev_create(bus, argp);
	case VBUS_DEV_DESTROY:
		return vbus_dev_destroy(bus, argp);
	case VBUS_DEV_LIST:
		return vbus_dev_list(bus, argp);
	case VBUS_CONN_OPEN:
		return vbus_conn_open(bus, argp);
	case VBUS_CONN_CLOSE:
		return vbus_conn_close_ioctl(bus, argp);
	case VBUS_CONN_CALL:
		return vbus_conn_call(bus, argp);
	case VBUS_CONN_SHM:
		return vbus_conn_shm(bus, argp);
	default:
		return -ENOTTY;
	}
}

static int vbus_open(struct inode *inode, struct file *file)
{
	struct vbus *bus;

	bus = kzalloc(sizeof(*bus), GFP_KERNEL_ACCOUNT);
	if (!bus)
		return -ENOMEM;
	mutex_init(&bus->lock);
	xa_init_flags(&bus->devices, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	xa_init_flags(&bus->conns, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	file->private_data = bus;
	return nonseekable_open(inode, file);
}

/* The last reference is gone, so no ioctl runs: take everything down */
static int vbus_release(struct inode *inode, struct file *file)
{
	struct vbus *bus = file->private_data;
	struct vbus_device *dev;
	struct vbus_conn *c;
	unsigned long id;

	xa_for_each(&bus->conns, id, c) {
		xa_erase(&bus->conns, id);
		vbus_conn_close(c);
	}
	xa_for_each(&bus->devices, id, dev) {
		xa_erase(&bus->devices, id);
		vbus_device_release(dev);
	}
	xa_destroy(&bus->conns);
	xa_destroy(&bus->devices);
	if (bus->memctx.vas)
		vas_put(bus->memctx.vas);
	mutex_destroy(&bus->lock);
	kfree(bus);
	return 0;
}

static const struct file_operations vbus_fops = {
	.owner = THIS_MODULE,
	.open = vbus_open,
	.release = vbus_release,
	.unlocked_ioctl = vbus_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice vbus_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vbus",
	.fops = &vbus_fops,
	.mode = 0600,
};
module_misc_device(vbus_misc);

MODULE_DESCRIPTION("vbus: a virtual bus for in-kernel device models on a vas");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(VAS);
