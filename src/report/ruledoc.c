/* ruledoc.c — what each rule means to the person reading a finding: the
 * one place that says, per rule id, what it means, why it can break boot
 * and how to fix it, with the SARIF metadata code scanning shows (friendly
 * name, precision, tags, security-severity).  SARIF's fullDescription and
 * help (text and markdown) are built from these fields, so the three never
 * disagree.  A unit test checks that every rule of the catalogue
 * (rules/rules.c) has an entry here and that no entry is stale. */
#include "bootlens/report.h"

#include <string.h>

/* precision: SARIF's property (§3.49.15 and GitHub's reading of it):
 * very-high = a fact read from the registry; high = from the simulated boot
 * order, which follows Windows' documented and verified behaviour; medium =
 * a heuristic with known false alarms.  security_severity: a CVSS-like
 * score, only for rules that are security problems (GitHub ranks those). */
static const bl_rule_doc docs[] = {
    {"filter-delays-device",
     "A class or device filter driver initializes after the devices it filters, so Plug and Play "
     "holds those devices back until it does.",
     "A device starts only when every driver of its stack has initialized. A boot driver that "
     "initializes in the gap and needs one of the held-back devices fails at boot (the seed case: "
     "vsepflt calls vsock, which needs vmci's device, and fails with STATUS_DEVICE_BUSY); a "
     "held-back storage device can end in INACCESSIBLE_BOOT_DEVICE.",
     "Move the filter into a load-order group that initializes before the devices it filters (the "
     "fix bootlens re-simulated names the group), or remove it from the class's or device's "
     "UpperFilters/LowerFilters. A filter that only some devices need belongs on those devices, "
     "not on the whole class (INF AddFilter on Windows 10 1903 and later).",
     "high", NULL},
    {"boot-filter-pulled-early",
     "A boot-start filter of a device is initialized by Plug and Play ahead of its own place in the load "
     "order (Vista and later pull a filter forward once the groups before its own are done), before a "
     "driver it needs, which would have initialized before its normal turn.",
     "The filter's DriverEntry runs without what it calls or declared a dependency on; a filter whose "
     "DriverEntry fails leaves the device without a stack, and on the boot disk's path that is "
     "INACCESSIBLE_BOOT_DEVICE.",
     "Put the filter in a group after the one of the driver it needs, or move that driver to an earlier "
     "group, so that it initializes before any device pulls the filter forward.",
     "high", NULL},
    {"missing-filter-service",
     "A class or device UpperFilters/LowerFilters value names a service that has no key under "
     "Services.",
     "Plug and Play cannot build the stack of any device that the list applies to: those devices "
     "fail to start (Device Manager code 39), and a storage class whose devices cannot start stops "
     "the boot with INACCESSIBLE_BOOT_DEVICE.",
     "Remove the stale entry from the filter list (usually left behind by an uninstalled product), "
     "or reinstall the driver that provides the service.",
     "very-high", NULL},
    {"disabled-filter", "A class or device filter's service is disabled (Start = 4).",
     "A disabled driver is never loaded, so no device whose stack lists it can start (code 32); on "
     "a storage class that means INACCESSIBLE_BOOT_DEVICE.",
     "Remove the filter from the list, or give its service a start type that loads it (demand "
     "start for a device filter, boot start when the devices are needed at boot).",
     "very-high", NULL},
    {"nonboot-filter-on-boot-class",
     "A filter that is not boot-start sits on a device whose own drivers are boot-start, so the "
     "device cannot start in the boot phase.",
     "The device waits until the filter's driver is loaded, after the boot drivers. A boot driver "
     "that needs the device fails, and a device on the boot path (disk, volume, storage "
     "controller) cannot start at all before the boot volume is needed.",
     "Make the filter boot-start in a group that initializes early (the re-simulated fix names "
     "one), or remove it from the filter list.",
     "high", NULL},
    {"group-not-in-service-group-order",
     "A boot or system driver's Group is not listed in Control\\ServiceGroupOrder\\List.",
     "Drivers of unlisted groups load after every listed group, so such a driver initializes later "
     "than its group name suggests; drivers that rely on it being there earlier fail. A group "
     "name that is a typo of a listed one is the usual cause.",
     "Correct the group name (LoadOrderGroup in the INF's service-install section) to a listed "
     "group.",
     "very-high", NULL},
    {"tag-not-in-group-order-list", "A driver's Tag is not in its group's Control\\GroupOrderList entry.",
     "The loader orders tagged drivers by the position of their tag in the list; a tag that is not "
     "listed loads after all listed ones, which can be later than the driver expects.",
     "Let setup assign the tag (AddService gives the next free tag and appends it), or add the tag "
     "to the group's GroupOrderList.",
     "very-high", NULL},
    {"duplicate-tag", "Two drivers of the same group and start phase have the same Tag.",
     "Their relative order then falls back to the order of their keys in the registry, which "
     "nothing guarantees: a driver that needs the other one initialized first may run before it.",
     "Give one of them a free tag of the group (reinstalling with AddService does), or remove the "
     "stale driver.",
     "very-high", NULL},
    {"boot-driver-dependency-ignored", "A boot-start driver declares DependOnService or DependOnGroup.",
     "The boot loader and the kernel ignore declared dependencies of boot drivers; only group and "
     "tag order count. When the dependency initializes later, the driver runs without it.",
     "Order the driver after what it needs by group and tag (a later group, or a later tag in the "
     "same group), and drop the declaration or keep it only as documentation.",
     "high", NULL},
    {"missing-dependency",
     "DependOnService names a service that does not exist, or DependOnGroup a group with no member.",
     "The Service Control Manager refuses to start a service whose dependency is missing (error "
     "1075): an auto-start service does not start at boot, a demand-start one fails when started. "
     "Boot and system drivers ignore the declaration.",
     "Remove the stale entry, or install the service it names. A KMDF class-extension name (for "
     "example UcmCx for UcmCx0101) is bound by WDF at run time and is not a service name.",
     "medium", NULL},
    {"dependency-cycle", "Services depend on each other in a cycle.",
     "The Service Control Manager starts none of them (error 1059), and everything that depends on "
     "them fails too.",
     "Break the cycle: remove the dependency that closes it (the re-simulated fix names it).", "very-high",
     NULL},
    {"dependency-starts-later",
     "A system-start driver depends on a service that initializes after it, or never.",
     "The kernel loads system-start drivers by group and tag and does not wait for declared "
     "dependencies, so the driver initializes before what it needs.",
     "Move the driver to a group that initializes after its dependency, or make the dependency "
     "start earlier.",
     "high", NULL},
    {"dependency-group-skipped",
     "The kernel skips a boot or system driver at its turn: a group its DependOnGroup names has had its "
     "turn and none of its members loaded.",
     "The skipped driver does not initialize in its phase; a device that needs it starts only later, "
     "and one on the boot disk's path cannot start before the boot volume is needed "
     "(INACCESSIBLE_BOOT_DEVICE). A driver that names its own group and is its first member fails "
     "this way.",
     "Remove the group from DependOnGroup (the re-simulated fix), or make sure a member of that group "
     "loads before the driver.",
     "high", NULL},
    {"dirty-hive", "The hive has changes that are still in its transaction logs (.LOG1/.LOG2).",
     "Windows replays the logs when it loads the hive; a copy analyzed without them shows an older "
     "configuration than the one that boots.",
     "Copy the hive together with its .LOG1/.LOG2 files (bootlens replays them in memory), or "
     "write a recovered copy with bootlens recover.",
     "very-high", NULL},
    {"hive-damaged", "Parts of the hive could not be read and were skipped.",
     "The analysis is partial: a driver, filter or device in the unreadable part is missing from "
     "the simulated boot, so a problem there cannot be seen and findings that rest on something "
     "being absent may be wrong.",
     "Analyze an undamaged copy (RegBack, a backup, the hive with its logs); the finding lists the "
     "keys that could not be read.",
     "very-high", NULL},
    {"driver-image-user-writable",
     "A driver's or service's image file is in a location ordinary users can write to (\\Users\\, "
     "\\Temp\\, \\ProgramData\\, \\AppData\\...).",
     "Whoever replaces the file runs code in the kernel (or as the service's account) at the next "
     "boot: a local privilege escalation, and a driver that may be swapped for a broken one.",
     "Install the image under %SystemRoot%\\System32\\drivers or the DriverStore (%13% in the INF's "
     "ServiceBinary), which only administrators can write.",
     "medium", "7.8"},
    {"device-driver-missing",
     "A device's Service names no service key, or a bus device has no function driver at all.",
     "The device cannot start, and the devices a bus would enumerate are never found; on the boot "
     "disk's path that is INACCESSIBLE_BOOT_DEVICE.",
     "Reinstall the device's driver package, or remove the leftover device if its hardware is "
     "gone.",
     "high", NULL},
    {"registry-anomaly",
     "A value has an unexpected type or content (REG_SZ where a DWORD belongs, a GroupOrderList "
     "shorter than its count...) and was read tolerantly.",
     "Windows reads such values its own way, which may differ from what the writer intended; the "
     "value's effect on the boot order is uncertain.",
     "Rewrite the value with its documented type (the finding shows the value and what was read).",
     "very-high", NULL},
    {"altitude-inversion", "A legacy file-system filter sits above a minifilter of higher altitude.",
     "The legacy filter attached first, and filter manager frames can only be added on top, so "
     "I/O reaches the two in the wrong order: an encryption filter above an antivirus filter hands "
     "it encrypted data, for example.",
     "Load the minifilter before the legacy filter, or add a dummy minifilter that forces a frame "
     "between them (the re-simulated fixes say which).",
     "high", NULL},
    {"altitude-out-of-group-range", "A minifilter's altitude lies outside the range of its load-order group.",
     "Its group decides when it loads, its altitude where it attaches; when a legacy filter lies "
     "between the two, the ordering the group promises does not hold.",
     "Request an altitude in the group's range, or move the filter to the group its altitude "
     "belongs to.",
     "high", NULL},
    {"duplicate-altitude", "Two minifilter instances have the same altitude.",
     "The filter manager refuses to attach the second instance: that filter silently does not see "
     "the volume's I/O.",
     "Give each filter its own altitude (Microsoft allocates them on request).", "very-high", NULL},
    {"minifilter-altitude-missing",
     "A minifilter has no instance, or an instance without a decimal Altitude.",
     "The filter manager cannot register an instance without an altitude, so the filter never "
     "attaches to a volume.",
     "Add Instances\\DefaultInstance and the instance's Altitude (REG_SZ) and Flags in the INF's "
     "service AddReg.",
     "high", NULL},
    {"minifilter-loads-before-fltmgr", "A minifilter loads before FltMgr, or FltMgr never loads.",
     "FltRegisterFilter fails when the filter manager is not initialized, so the minifilter does "
     "not filter anything.",
     "Put the minifilter in an FSFilter load-order group (they load after FltMgr), or make FltMgr "
     "boot-start.",
     "high", NULL},
};

const bl_rule_doc *bl_rule_doc_find(const char *id)
{
    for (size_t i = 0; i < BL_ARRAY_LEN(docs); i++)
        if (strcmp(docs[i].id, id) == 0)
            return &docs[i];
    return NULL;
}

const bl_rule_doc *bl_rule_docs(uint32_t *n)
{
    *n = (uint32_t)BL_ARRAY_LEN(docs);
    return docs;
}

void bl_rule_friendly_name(const char *id, bl_sb *out)
{
    bool up = true;
    for (const char *p = id; *p; p++) {
        if (*p == '-') {
            up = true;
            continue;
        }
        bl_sb_addc(out, up && *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p);
        up = false;
    }
}

/* Markdown: a backslash escapes the punctuation after it, so registry
 * paths keep theirs doubled. */
static void add_markdown(bl_sb *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            bl_sb_addc(out, '\\');
        bl_sb_addc(out, *s);
    }
}

void bl_rule_help(const bl_rule_doc *d, bool markdown, bl_sb *out)
{
    if (!markdown) {
        bl_sb_addf(out, "What it means: %s\n\nWhy it can break boot: %s\n\nHow to fix: %s\n", d->what, d->why,
                   d->fix);
        return;
    }
    bl_sb_add(out, "**What it means.** ");
    add_markdown(out, d->what);
    bl_sb_add(out, "\n\n**Why it can break boot.** ");
    add_markdown(out, d->why);
    bl_sb_add(out, "\n\n**How to fix.** ");
    add_markdown(out, d->fix);
    bl_sb_addc(out, '\n');
}
