/* options.c — every command and option of bootlens, documented once.  The
 * tables below drive argument parsing, `--help`, `bootlens help CMD` and the
 * man page (`bootlens --man`, installed as bootlens.1), so they cannot drift
 * apart. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef BOOTLENS_VERSION
#define BOOTLENS_VERSION "0.1.0"
#endif

const char *bl_cli_version(void)
{
    return BOOTLENS_VERSION;
}

typedef struct cmd_def {
    unsigned cmd;
    const char *name;
    const char *synopsis;
    const char *summary;
} cmd_def;

static const cmd_def commands[] = {
    {CMD_ANALYZE, "analyze", "analyze HIVE... [options]",
     "Simulate the boot of HIVE's driver configuration and report what goes wrong, why, and the "
     "re-simulated fix. With several hives or a directory, analyzes them in parallel (-j)."},
    {CMD_ORDER, "order", "order HIVE [--phase boot|system|auto|all]",
     "The load order Windows computes from groups and tags: position, phase, group, tag, "
     "service, start, type, image (like Sysinternals LoadOrder)."},
    {CMD_STACK, "stack", "stack HIVE [--class NAME|GUID] [--device ID] [--all]",
     "Device stacks: lower filters, function driver, upper filters, where each entry comes from "
     "(class or device), each driver's start slot, and when the device starts."},
    {CMD_EXPLAIN, "explain", "explain HIVE NAME",
     "Why a driver, service or device loads or starts when it does, what delays it, and what it "
     "delays."},
    {CMD_FILTERS, "filters", "filters HIVE",
     "The file-system filter stack: filter manager frames, minifilters and legacy filters by "
     "altitude, in the order the stack ends up (fltmc style)."},
    {CMD_LINT, "lint", "lint [--baseline HIVE] INF...",
     "Apply driver INF files to a copy of the baseline's boot configuration as Windows setup "
     "would, re-simulate, and report the findings the INFs introduce (SARIF for CI)."},
    {CMD_RECOVER, "recover", "recover HIVE -o OUT [--log FILE]...",
     "Replay the transaction logs of a dirty hive into a new file OUT. HIVE is never written."},
    {CMD_DIFF, "diff", "diff HIVE_A [HIVE_B] [--control-set N --control-set-b M]",
     "What changed between two hives (or two control sets of one): services, groups, tags, "
     "filters, load order and findings."},
    {CMD_LS, "ls", "ls IMAGE [--format json]",
     "List what a disk or volume image holds: its container and files (with SHA-256), volumes and "
     "their file systems, and each Windows installation with its SYSTEM hive, transaction logs "
     "and RegBack copy, named as HIVE arguments take them (IMAGE#p2:/Windows/System32/config/SYSTEM)."},
};

enum opt_id {
    O_CONTROL_SET, O_CONTROL_SET_B, O_NO_RECOVERY, O_LOG, O_FORMAT, O_FAIL_ON, O_PHASE, O_CLASS,
    O_DEVICE, O_ALL, O_KNOWLEDGE, O_BOOT_SCENARIO, O_BOOT_FS, O_WINDOWS, O_OUTPUT, O_BASELINE, O_ARCH,
    O_OS_VERSION, O_LANG, O_VERBOSE, O_COLOR, O_NO_FIXES, O_JOBS, O_SUMMARY, O_READER, O_TIMINGS,
    O_VOLUME, O_INSTALLATION, O_HASH_IMAGE, O_HELP,
};

typedef struct opt_def {
    enum opt_id id;
    const char *name;
    char short_name;
    const char *arg; /* NULL: a flag */
    unsigned cmds;
    const char *help;
} opt_def;

static const opt_def options[] = {
    {O_CONTROL_SET, "control-set", 0, "current|lastknowngood|default|failed|N", CMD_HIVE_READERS,
     "Which control set to analyze (default: current, from Select\\Current). For diff, the "
     "control set of HIVE_A."},
    {O_CONTROL_SET_B, "control-set-b", 0, "SET", CMD_DIFF,
     "diff: the control set of HIVE_B (default: the same hive's other set when only one hive is "
     "given)."},
    {O_NO_RECOVERY, "no-recovery", 0, NULL, CMD_HIVE_READERS,
     "Analyze the primary file as it is, without replaying transaction logs (a dirty hive raises "
     "the dirty-hive finding)."},
    {O_LOG, "log", 0, "FILE", CMD_HIVE_READERS | CMD_RECOVER,
     "A transaction log to replay (repeatable). Default: HIVE.LOG, HIVE.LOG1, HIVE.LOG2 beside "
     "the hive, in any letter case."},
    {O_FORMAT, "format", 'f', "text|json|sarif|dot|jsonl", CMD_ALL & ~CMD_RECOVER,
     "Output format (default text). sarif: analyze and lint. dot: stack and explain (Graphviz). "
     "jsonl: one JSON object per line (analyze of several hives)."},
    {O_FAIL_ON, "fail-on", 0, "error|warning|info|never", CMD_ANALYZE | CMD_LINT | CMD_DIFF,
     "Exit with status 1 when a finding of this severity or above is reported (default error; "
     "for diff: new findings only)."},
    {O_PHASE, "phase", 0, "boot|system|auto|all", CMD_ORDER,
     "Which phase of the load order to list (default all; system includes drivers loaded for "
     "devices)."},
    {O_CLASS, "class", 0, "NAME|GUID", CMD_STACK, "Only devices of this setup class."},
    {O_DEVICE, "device", 0, "ID", CMD_STACK,
     "Only devices whose instance id contains ID (case-insensitive)."},
    {O_ALL, "all", 'a', NULL, CMD_STACK,
     "Show every device (default: devices with filters, deferred or not started)."},
    {O_KNOWLEDGE, "knowledge", 'k', "FILE", CMD_ANALYZE | CMD_LINT | CMD_EXPLAIN | CMD_DIFF,
     "Add runtime dependencies (format in data/knowledge.txt) to the built-in knowledge file. "
     "Repeatable."},
    {O_BOOT_SCENARIO, "boot-scenario", 0, "LIST", CMD_HIVE_READERS,
     "Boot scenario for BootFlags promotions: none, network, vhd, usb, sd, usb3, measured, "
     "verifier, winpe (comma-separated) or a number. Default: Control\\BootDriverFlags."},
    {O_BOOT_FS, "boot-fs", 0, "SERVICE", CMD_HIVE_READERS,
     "The boot file system the loader adds to the boot drivers (default Ntfs)."},
    {O_WINDOWS, "windows", 0, "xp|7|8|10", CMD_HIVE_READERS,
     "The Windows family whose boot rules to follow (xp also stands for 2000/2003, 7 for Vista, 8 for "
     "8.1, 10 for 11). Default: told from the hive (doc/boot-model.md \"Which Windows\"); explain "
     "names what told it."},
    {O_OUTPUT, "output", 'o', "FILE", CMD_RECOVER | CMD_ANALYZE | CMD_LINT,
     "recover: the file to write (required, never the input). analyze/lint: write the report to "
     "FILE instead of standard output."},
    {O_BASELINE, "baseline", 'b', "HIVE", CMD_LINT,
     "The SYSTEM hive to apply the INFs to. Without it, a built-in minimal Windows boot "
     "configuration is used (see doc/lint.md)."},
    {O_ARCH, "arch", 0, "amd64|x86|arm64", CMD_LINT, "Target architecture for decorated INF sections (default amd64)."},
    {O_OS_VERSION, "os-version", 0, "MAJOR.MINOR[.BUILD]", CMD_LINT,
     "Target Windows version for TargetOSVersion decorations (default 10.0.19041)."},
    {O_LANG, "lang", 0, "LANGID", CMD_LINT, "Locale for [Strings.LANGID] sections (default 0409)."},
    {O_VERBOSE, "verbose", 'v', NULL, CMD_ALL, "Show info findings and more detail."},
    {O_COLOR, "color", 0, NULL, CMD_ALL, "Colour severities in text output (default when stdout is a terminal)."},
    {O_NO_FIXES, "no-fixes", 0, NULL, CMD_ANALYZE | CMD_LINT,
     "Do not search for and re-simulate fixes (faster)."},
    {O_JOBS, "jobs", 'j', "N", CMD_ANALYZE, "Analyze several hives with N parallel workers (default: number of CPUs)."},
    {O_SUMMARY, "summary", 0, NULL, CMD_ANALYZE,
     "With several hives: print a fleet summary (which filters delay which classes on how many "
     "machines, which rules fire where)."},
    {O_READER, "reader", 0, "fast|libregf", CMD_HIVE_READERS,
     "How keys and values are read once libregf has validated the hive: the direct cell reader "
     "(fast, default) or libregf itself (the reference; several times slower)."},
    {O_TIMINGS, "timings", 0, NULL, CMD_ANALYZE,
     "Print how long each stage took (open, model, simulation, rules, output) as one line on "
     "standard error; used by make bench."},
    {O_VOLUME, "volume", 0, "NAME", CMD_IMAGE_READERS & ~CMD_LS,
     "With a disk image as HIVE: the volume to read (p1, p2…, as bootlens ls names them) when "
     "several hold Windows."},
    {O_INSTALLATION, "installation", 0, "[VOLUME:]DIR", CMD_IMAGE_READERS & ~CMD_LS,
     "With a disk image as HIVE: the Windows installation to read, by its directory (/Windows, "
     "p2:/Windows.old/Windows), when the image holds several."},
    {O_HASH_IMAGE, "hash-image", 0, NULL, CMD_IMAGE_READERS & ~CMD_RECOVER,
     "With a disk image: also compute the SHA-256 of every file of the image, on a second thread "
     "while the analysis runs (it reads the whole image: about 0.7 s per GB, or the disk's read "
     "time). Without it, the SHA-256 of what was read (the hive and its logs) is reported."},
    {O_HELP, "help", 'h', NULL, CMD_ALL, "Show help for the command."},
};

static const cmd_def *find_cmd(unsigned cmd)
{
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++)
        if (commands[i].cmd == cmd)
            return &commands[i];
    return NULL;
}

void bl_cli_usage(FILE *out, unsigned cmd)
{
    const cmd_def *c = find_cmd(cmd);
    if (!c)
        return;
    fprintf(out, "usage: bootlens %s\n\n%s\n\nOptions:\n", c->synopsis, c->summary);
    for (size_t i = 0; i < BL_ARRAY_LEN(options); i++) {
        const opt_def *o = &options[i];
        if (!(o->cmds & cmd))
            continue;
        char head[96];
        if (o->short_name)
            snprintf(head, sizeof head, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(head, sizeof head, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %s\n      %s\n", head, o->help);
    }
}

void bl_cli_print_help(FILE *out)
{
    fprintf(out, "bootlens %s — offline analysis of the Windows driver boot configuration in a "
                 "SYSTEM hive\n\nusage: bootlens COMMAND [ARGS] [OPTIONS]\n\nCommands:\n",
            BOOTLENS_VERSION);
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].synopsis);
    fprintf(out, "\n`bootlens help COMMAND` or `bootlens COMMAND --help` describes a command.\n"
                 "Exit status: 0 clean, 1 findings at or above --fail-on, 2 unusable input or usage.\n");
}

/* troff needs backslashes and leading dots escaped. */
static void man_text(FILE *out, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", out);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else
            fputc(*s, out);
    }
}

void bl_cli_print_man(FILE *out)
{
    fprintf(out, ".TH BOOTLENS 1 \"\" \"bootlens %s\" \"User Commands\"\n", BOOTLENS_VERSION);
    fputs(".SH NAME\nbootlens \\- offline analysis of the Windows driver boot configuration in a "
          "SYSTEM hive\n.SH SYNOPSIS\n",
          out);
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++) {
        fputs(".B bootlens\n", out);
        man_text(out, commands[i].synopsis);
        fputs("\n.br\n", out);
    }
    fputs(".SH DESCRIPTION\nbootlens opens a SYSTEM registry hive (replaying its transaction logs "
          "in memory when it is dirty), rebuilds the driver boot configuration (services, "
          "load-order groups and tags, class and device filters, minifilter altitudes, the device "
          "tree), simulates the boot-time load and device-start order, and reports what will go "
          "wrong, why, and a fix it has re-simulated. Input files are never written.\n"
          ".SH COMMANDS\n",
          out);
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++) {
        fprintf(out, ".TP\n.B %s\n", commands[i].name);
        man_text(out, commands[i].summary);
        fputc('\n', out);
    }
    fputs(".SH OPTIONS\n", out);
    for (size_t i = 0; i < BL_ARRAY_LEN(options); i++) {
        const opt_def *o = &options[i];
        fputs(".TP\n", out);
        if (o->short_name)
            fprintf(out, ".BR \\-%c \", \" \\-\\-", o->short_name);
        else
            fputs(".B \\-\\-", out);
        man_text(out, o->name);
        if (o->arg) {
            fputs(" \" \"\n.I ", out);
            man_text(out, o->arg);
        }
        fputs("\n", out);
        man_text(out, o->help);
        fputs(" (", out);
        bool first = true;
        for (size_t k = 0; k < BL_ARRAY_LEN(commands); k++)
            if (o->cmds & commands[k].cmd) {
                fprintf(out, "%s%s", first ? "" : ", ", commands[k].name);
                first = false;
            }
        fputs(")\n", out);
    }
    fputs(".SH FORENSIC WORKFLOW\n"
          "HIVE may be a disk image (raw and split raw, E01, VHD, VHDX, VMDK, QCOW2) or an NTFS volume "
          "image. bootlens finds each Windows installation with its transaction logs and RegBack copy, "
          "reads them read-only, and names where each result came from.\n"
          ".PP\n.nf\n"
          "bootlens ls case.E01\n"
          "bootlens analyze case.E01 [\\-\\-volume p2] [\\-\\-installation /Windows] [\\-\\-hash\\-image]\n"
          "bootlens diff case.E01#SYSTEM case.E01#RegBack\n"
          "bootlens explain case.E01#p2:/Windows/System32/config/SYSTEM vmci\n"
          "bootlens recover case.E01#SYSTEM \\-o SYSTEM.recovered\n"
          ".fi\n.PP\n"
          "IMAGE#SYSTEM, IMAGE#RegBack, IMAGE#p2:SYSTEM and IMAGE#p2:/PATH (IMAGE#/PATH for a volume "
          "image) name a hive inside an image wherever a HIVE is taken.\n",
          out);
    fputs(".SH EXIT STATUS\n0: no finding at or above \\-\\-fail\\-on. 1: findings at or above "
          "\\-\\-fail\\-on. 2: unusable input or usage error, with a one-line reason on standard "
          "error naming the file and what is wrong.\n"
          ".SH FILES\nknowledge.txt (runtime dependencies between drivers that the registry does not "
          "record; extend with \\-\\-knowledge), altitudes.txt (load order groups and their "
          "altitude ranges), both compiled in and installed under share/bootlens.\n"
          ".SH SEE ALSO\nThe README and doc/ of the bootlens sources: doc/boot-model.md explains "
          "the simulated boot and every tie-break; doc/rules.md lists the rules.\n",
          out);
}

/* A bash completion script generated from the same tables, so it never
 * drifts from the options bootlens really takes. */
void bl_cli_print_bash_completion(FILE *out)
{
    fputs("# bash completion for bootlens (generated by `bootlens --completion bash`)\n"
          "_bootlens()\n{\n"
          "    local cur prev cmd\n"
          "    cur=${COMP_WORDS[COMP_CWORD]}\n"
          "    prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    cmd=${COMP_WORDS[1]}\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W \"",
          out);
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++)
        fprintf(out, "%s ", commands[i].name);
    fputs("help --help --version\" -- \"$cur\"))\n        return\n    fi\n"
          "    case $prev in\n",
          out);
    /* Options with a fixed set of values. */
    for (size_t i = 0; i < BL_ARRAY_LEN(options); i++) {
        const opt_def *o = &options[i];
        if (!o->arg || !strchr(o->arg, '|') || strchr(o->arg, ' '))
            continue;
        bl_sb words = {0};
        for (const char *p = o->arg; *p; p++)
            bl_sb_addc(&words, *p == '|' ? ' ' : *p);
        fprintf(out, "        --%s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n", o->name,
                bl_sb_str(&words));
        bl_sb_free(&words);
    }
    fputs("        --log|--output|-o|--knowledge|-k|--baseline|-b) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
          "    esac\n"
          "    case $cmd in\n",
          out);
    for (size_t k = 0; k < BL_ARRAY_LEN(commands); k++) {
        fprintf(out, "        %s) opts=\"", commands[k].name);
        for (size_t i = 0; i < BL_ARRAY_LEN(options); i++)
            if (options[i].cmds & commands[k].cmd)
                fprintf(out, "--%s ", options[i].name);
        fputs("\" ;;\n", out);
    }
    fputs("        *) opts=\"\" ;;\n    esac\n"
          "    if [[ $cur == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    else\n"
          "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
          "    fi\n}\ncomplete -F _bootlens bootlens\n",
          out);
}

static const opt_def *find_long(const char *name, size_t n)
{
    for (size_t i = 0; i < BL_ARRAY_LEN(options); i++)
        if (strlen(options[i].name) == n && strncmp(options[i].name, name, n) == 0)
            return &options[i];
    return NULL;
}

static const opt_def *find_short(char c)
{
    for (size_t i = 0; i < BL_ARRAY_LEN(options); i++)
        if (options[i].short_name == c)
            return &options[i];
    return NULL;
}

static int usage_error(const bl_cli *c, const char *fmt, const char *what)
{
    fprintf(stderr, "bootlens %s: ", c->cmd_name);
    fprintf(stderr, fmt, what);
    fprintf(stderr, " (see bootlens %s --help)\n", c->cmd_name);
    return BL_EXIT_INPUT;
}

static int set_option(bl_cli *c, const opt_def *o, const char *v)
{
    switch (o->id) {
    case O_CONTROL_SET: c->control_set = v; break;
    case O_CONTROL_SET_B: c->control_set_b = v; break;
    case O_NO_RECOVERY: c->no_recovery = true; break;
    case O_LOG:
        if (c->nlogs >= BL_MAX_LOGS)
            return usage_error(c, "too many --log files (at most 8)%s", "");
        c->logs[c->nlogs++] = v;
        break;
    case O_FORMAT:
        if (!bl_format_parse(v, &c->format))
            return usage_error(c, "unknown --format %s", v);
        c->format_set = true;
        break;
    case O_FAIL_ON:
        if (bl_fold_eq(v, "error"))
            c->fail_on = BL_SEV_ERROR;
        else if (bl_fold_eq(v, "warning"))
            c->fail_on = BL_SEV_WARNING;
        else if (bl_fold_eq(v, "info"))
            c->fail_on = BL_SEV_INFO;
        else if (bl_fold_eq(v, "never"))
            c->fail_on = 3;
        else
            return usage_error(c, "unknown --fail-on %s (error, warning, info or never)", v);
        break;
    case O_PHASE:
        if (bl_fold_eq(v, "boot"))
            c->phase = BL_SHOW_BOOT;
        else if (bl_fold_eq(v, "system"))
            c->phase = BL_SHOW_SYSTEM;
        else if (bl_fold_eq(v, "auto"))
            c->phase = BL_SHOW_AUTO;
        else if (bl_fold_eq(v, "all"))
            c->phase = BL_SHOW_ALL;
        else
            return usage_error(c, "unknown --phase %s (boot, system, auto or all)", v);
        break;
    case O_CLASS: c->class_filter = v; break;
    case O_DEVICE: c->device_filter = v; break;
    case O_ALL: c->all = true; break;
    case O_KNOWLEDGE:
        if (c->nknowledge >= 16)
            return usage_error(c, "too many --knowledge files (at most 16)%s", "");
        c->knowledge[c->nknowledge++] = v;
        break;
    case O_BOOT_SCENARIO:
        if (!bl_boot_scenario_parse(v, &c->boot_flags))
            return usage_error(c, "unknown --boot-scenario %s", v);
        c->has_boot_flags = true;
        break;
    case O_BOOT_FS: c->boot_fs = v; break;
    case O_WINDOWS:
        if (!bl_windows_parse(v, &c->windows))
            return usage_error(c, "unknown --windows %s (xp, 7, 8 or 10)", v);
        break;
    case O_OUTPUT: c->output = v; break;
    case O_BASELINE: c->baseline = v; break;
    case O_ARCH: c->arch = v; break;
    case O_OS_VERSION: c->os_version = v; break;
    case O_LANG: c->lang = v; break;
    case O_VERBOSE: c->verbose = true; break;
    case O_COLOR: c->color = true; break;
    case O_NO_FIXES: c->no_fixes = true; break;
    case O_JOBS: {
        char *end;
        long j = strtol(v, &end, 10);
        if (*end || j < 1 || j > 256)
            return usage_error(c, "--jobs %s: expected a number from 1 to 256", v);
        c->jobs = (int)j;
        break;
    }
    case O_SUMMARY: c->summary = true; break;
    case O_TIMINGS: c->timings = true; break;
    case O_READER:
        if (bl_fold_eq(v, "libregf"))
            c->libregf_reader = true;
        else if (!bl_fold_eq(v, "fast"))
            return usage_error(c, "unknown --reader %s (fast or libregf)", v);
        break;
    case O_VOLUME: c->volume = v; break;
    case O_INSTALLATION: c->installation = v; break;
    case O_HASH_IMAGE: c->hash_image = true; break;
    case O_HELP: bl_cli_usage(stdout, c->cmd); return -1;
    }
    return 0;
}

int bl_cli_parse(bl_cli *c, unsigned cmd, const char *cmd_name, int argc, char **argv)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->cmd_name = cmd_name;
    c->fail_on = BL_SEV_ERROR;
    c->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    bool only_args = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const opt_def *o = NULL;
        const char *val = NULL;
        if (only_args || a[0] != '-' || a[1] == '\0') {
            if (c->nargs >= BL_MAX_ARGS)
                return usage_error(c, "too many arguments (at most 4096)%s", "");
            c->args[c->nargs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        if (a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
            o = find_long(a + 2, n);
            if (eq)
                val = eq + 1;
        } else if (a[2] == '\0') {
            o = find_short(a[1]);
        }
        if (!o || !(o->cmds & cmd))
            return usage_error(c, "unknown option %s", a);
        if (o->arg && !val) {
            if (i + 1 >= argc)
                return usage_error(c, "%s needs a value", a);
            val = argv[++i];
        } else if (!o->arg && val) {
            return usage_error(c, "%s takes no value", a);
        }
        int rc = set_option(c, o, val);
        if (rc)
            return rc;
    }
    if (c->color && (c->format != BL_FMT_TEXT || c->output))
        c->color = false;
    return 0;
}

int bl_usage_error(const char *cmd, const char *what)
{
    fprintf(stderr, "bootlens %s: %s (see bootlens %s --help)\n", cmd, what, cmd);
    return BL_EXIT_INPUT;
}

int bl_input_error(const char *msg)
{
    fprintf(stderr, "bootlens: %s\n", msg);
    return BL_EXIT_INPUT;
}

int bl_exit_for(const bl_cli *c, const bl_findings *f)
{
    if (c->fail_on > BL_SEV_ERROR)
        return BL_EXIT_OK;
    for (uint32_t i = 0; i < f->n; i++)
        if ((int)f->v[i].severity >= c->fail_on)
            return BL_EXIT_FINDINGS;
    return BL_EXIT_OK;
}
