// SPDX-License-Identifier: GPL-2.0-only
/*
 * vbus device classes: the registry device models add themselves to
 *
 * A class is found by name when the VMM creates a device; the device then
 * holds a reference on the class's module, so that a device model cannot
 * be unloaded while one of its devices exists (delete_module() fails with
 * EWOULDBLOCK or waits, as for any module in use). The registry is the
 * only global state of vbus: buses and devices belong to their file.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "vbus_private.h"

static LIST_HEAD(vbus_devclasses);
static DEFINE_MUTEX(vbus_devclasses_lock);

static struct vbus_devclass *vbus_devclass_find(const char *name)
{
	struct vbus_devclass *dc;

	lockdep_assert_held(&vbus_devclasses_lock);
	list_for_each_entry(dc, &vbus_devclasses, node)
		if (!strcmp(dc->name, name))
			return dc;
	return NULL;
}

/**
 * vbus_devclass_register() - offer a device class to every bus
 * @dc: The class, with @name, @ops and @owner set; it must stay until
 *	vbus_devclass_unregister()
 *
 * Context: Process context; typically a module's init.
 * Return: 0; -EINVAL for a name that is empty or VBUS_NAME_MAX bytes or
 * longer, or missing ops; -EEXIST if a class of that name is registered.
 */
int vbus_devclass_register(struct vbus_devclass *dc)
{
	size_t len = dc->name ? strnlen(dc->name, VBUS_NAME_MAX) : 0;
	int err = 0;

	if (!len || len == VBUS_NAME_MAX || !dc->ops || !dc->ops->create)
		return -EINVAL;
	mutex_lock(&vbus_devclasses_lock);
	if (vbus_devclass_find(dc->name))
		err = -EEXIST;
	else
		list_add_tail(&dc->node, &vbus_devclasses);
	mutex_unlock(&vbus_devclasses_lock);
	return err;
}
EXPORT_SYMBOL_NS_GPL(vbus_devclass_register, VBUS);

/**
 * vbus_devclass_unregister() - withdraw a device class
 * @dc: A registered class
 *
 * Devices of the class hold its module, so none exists when the module's
 * exit calls this.
 *
 * Context: Process context.
 */
void vbus_devclass_unregister(struct vbus_devclass *dc)
{
	mutex_lock(&vbus_devclasses_lock);
	list_del(&dc->node);
	mutex_unlock(&vbus_devclasses_lock);
}
EXPORT_SYMBOL_NS_GPL(vbus_devclass_unregister, VBUS);

/* The class called @name, with its module held; NULL if there is none */
struct vbus_devclass *vbus_devclass_get(const char *name)
{
	struct vbus_devclass *dc;

	mutex_lock(&vbus_devclasses_lock);
	dc = vbus_devclass_find(name);
	if (dc && !try_module_get(dc->owner))
		dc = NULL;
	mutex_unlock(&vbus_devclasses_lock);
	return dc;
}

void vbus_devclass_put(struct vbus_devclass *dc)
{
	module_put(dc->owner);
}
