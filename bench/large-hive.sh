#!/bin/sh
# large-hive.sh REAL_HIVE OUT — builds the 15 MB-class Windows 10 SYSTEM hive
# the benchmark needs from the real Windows 10 hive of ../shared (7.8 MB): its
# whole content (exported with hivexregedit) plus what a long-lived machine
# accumulates — 600 remembered USB storage devices, 350 more third-party
# drivers and services with their parameter keys, and a larger DriverDatabase (the part that makes real Windows 10 SYSTEM hives large)
# — written back by build/mkhive.  The additions follow the real hive's own
# key and value shapes; they are generated, and the benchmark says so.
set -eu
real=$1
out=$2
MKHIVE=${MKHIVE:-build/mkhive}
src=$(mktemp)
trap 'rm -f "$src"' EXIT
command -v hivexregedit >/dev/null || { echo "large-hive: hivexregedit (libwin-hivex-perl) is needed" >&2; exit 1; }
hivexregedit --export --prefix 'HKLM\SYSTEM' "$real" '\' >"$src"
awk 'BEGIN {
    cs = "ControlSet001"
    for (i = 0; i < 600; i++) {
        ven = sprintf("Ven_Vendor%03d&Prod_Flash_Disk_%02d&Rev_%d.%02d", i % 180, i % 37, 1 + i % 9, i % 100)
        printf "[%s\\Enum\\USBSTOR\\Disk&%s\\%08X%08X&0]\n", cs, ven, i * 2654435761 % 4294967296, i * 40503 % 4294967296
        printf "\"DeviceDesc\"=\"@disk.inf,%%disk_devdesc%%;Disk drive\"\n"
        printf "\"Capabilities\"=dword:00000010\n\"ConfigFlags\"=dword:00000000\n"
        printf "\"HardwareID\"=multi:\"USBSTOR\\\\Disk%s\",\"USBSTOR\\\\Disk\",\"GenDisk\"\n", ven
        printf "\"CompatibleIDs\"=multi:\"USBSTOR\\\\Disk\",\"USBSTOR\\\\RAW\",\"GenDisk\"\n"
        printf "\"ClassGUID\"=\"{4d36e967-e325-11ce-bfc1-08002be10318}\"\n\"Service\"=\"disk\"\n"
        printf "\"Driver\"=\"{4d36e967-e325-11ce-bfc1-08002be10318}\\\\%04d\"\n\"Mfg\"=\"@disk.inf,%%genmanufacturer%%;(Standard disk drives)\"\n", i
        printf "\"FriendlyName\"=\"Vendor%03d Flash Disk USB Device\"\n", i % 180
        printf "[%s\\Enum\\USBSTOR\\Disk&%s\\%08X%08X&0\\Device Parameters\\Partmgr]\n", cs, ven, i * 2654435761 % 4294967296, i * 40503 % 4294967296
        printf "\"Attributes\"=dword:00000000\n\"DiskId\"=\"{%08x-0000-11e9-a000-%012x}\"\n\n", i, i * 7919
    }
    for (i = 0; i < 350; i++) {
        printf "[%s\\Services\\vendsvc%03d]\n", cs, i
        if (i % 3 == 0) {
            printf "\"Type\"=dword:00000001\n\"Start\"=dword:%08x\n\"ErrorControl\"=dword:00000001\n", 1 + i % 3
            printf "\"ImagePath\"=expand:\"\\\\SystemRoot\\\\System32\\\\drivers\\\\vendsvc%03d.sys\"\n", i
            printf "\"Group\"=\"%s\"\n", (i % 2 ? "Extended Base" : "PNP_TDI")
        } else {
            printf "\"Type\"=dword:00000010\n\"Start\"=dword:%08x\n\"ErrorControl\"=dword:00000001\n", 2 + i % 2
            printf "\"ImagePath\"=expand:\"\\\"C:\\\\Program Files\\\\Vendor%03d\\\\service.exe\\\"\"\n", i
            printf "\"ObjectName\"=\"LocalSystem\"\n\"DependOnService\"=multi:\"RpcSs\",\"Tcpip\"\n"
        }
        printf "\"DisplayName\"=\"Vendor %03d component\"\n\"Description\"=\"Keeps vendor %03d things running smoothly on this computer.\"\n", i, i
        printf "[%s\\Services\\vendsvc%03d\\Parameters]\n\"LogLevel\"=dword:00000002\n\"InstallDir\"=\"C:\\\\Program Files\\\\Vendor%03d\"\n", cs, i, i
        printf "[%s\\Services\\vendsvc%03d\\Security]\n\"Security\"=fill:3:180:01\n\n", cs, i
    }
    for (i = 0; i < 11500; i++) {
        printf "[DriverDatabase\\DriverPackages\\oem%d.inf_amd64_%016x]\n", i, i * 104729
        printf "\"Version\"=fill:3:96:%02x\n\"Provider\"=\"Vendor%03d\"\n\"SignerName\"=\"Microsoft Windows Hardware Compatibility Publisher\"\n", i % 256, i % 350
        printf "\"SignerScore\"=dword:0d000005\n\"FileSize\"=dword:%08x\n\n", i * 31 + 4096
    }
}' >>"$src"
"$MKHIVE" "$src" -o "$out"
