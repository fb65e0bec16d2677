/* options.c — every command and option of bootlens, documented once.  The
 * tables below drive argument parsing, `--help`, `bootlens help CMD` and the
 * man page (`bootlens --man`, installed as bootlens.1), so they cannot drift
 * apart. */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

const char *bl_cli_version(void)
{
    return bl_version();
}

typedef struct cmd_def {
    unsigned cmd;
    const char *name;
    const char *synopsis;
    const char *summary;
    unsigned formats; /* FMT(...) bits of the --format values it takes */
} cmd_def;

#define FMT(f) (1u << (f))
#define FMT_TJ (FMT(BL_FMT_TEXT) | FMT(BL_FMT_JSON))

static const cmd_def commands[] = {
    {CMD_ANALYZE, "analyze", "analyze HIVE... [options]",
     "Simulate the boot of HIVE's driver configuration and report what goes wrong, why, and the "
     "re-simulated fix. With several hives or a directory, analyzes them in parallel (-j).",
     FMT_TJ | FMT(BL_FMT_SARIF) | FMT(BL_FMT_JSONL) | FMT(BL_FMT_HTML)},
    {CMD_ORDER, "order", "order HIVE [--phase boot|system|auto|all]",
     "The load order Windows computes from groups and tags: position, phase, group, tag, "
     "service, start, type, image (like Sysinternals LoadOrder).", FMT_TJ},
    {CMD_STACK, "stack", "stack HIVE [--class NAME|GUID] [--device ID] [--all]",
     "Device stacks: lower filters, function driver, upper filters, where each entry comes from "
     "(class or device), each driver's start slot, and when the device starts.", FMT_TJ | FMT(BL_FMT_DOT)},
    {CMD_EXPLAIN, "explain", "explain HIVE NAME",
     "Why a driver, service or device loads or starts when it does, what delays it, and what it "
     "delays.",
     FMT_TJ | FMT(BL_FMT_DOT) | FMT(BL_FMT_HTML)},
    {CMD_FILTERS, "filters", "filters HIVE",
     "The file-system filter stack: filter manager frames, minifilters and legacy filters by "
     "altitude, in the order the stack ends up (fltmc style).", FMT_TJ},
    {CMD_LINT, "lint", "lint [--baseline HIVE|DIR]... INF...",
     "Apply driver INF files to a copy of the baseline's boot configuration as Windows setup "
     "would, re-simulate, and report the findings the INFs introduce (SARIF for CI). With several "
     "baselines, a verdict per configuration: which ones the INFs break.",
     FMT_TJ | FMT(BL_FMT_SARIF)},
    {CMD_RECOVER, "recover", "recover HIVE -o OUT [--log FILE]...",
     "Replay the transaction logs of a dirty hive into a new file OUT. HIVE is never written.", 0},
    {CMD_DIFF, "diff", "diff HIVE_A [HIVE_B] [--control-set N --control-set-b M]",
     "What changed between two hives (or two control sets of one): services, groups, tags, "
     "filters, load order and findings (new, gone, and those whose severity changed).",
     FMT_TJ | FMT(BL_FMT_HTML)},
    {CMD_LS, "ls", "ls IMAGE [--format json]",
     "List what a disk or volume image holds: its container and files (with SHA-256), volumes and "
     "their file systems, and each Windows installation with its SYSTEM hive, transaction logs "
     "and RegBack copy, named as HIVE arguments take them (IMAGE#p2:/Windows/System32/config/SYSTEM).",
     FMT_TJ},
};

enum opt_id {
    O_CONTROL_SET, O_CONTROL_SET_B, O_NO_RECOVERY, O_LOG, O_FORMAT, O_FAIL_ON, O_PHASE, O_CLASS,
    O_DEVICE, O_ALL, O_KNOWLEDGE, O_BOOT_SCENARIO, O_BOOT_FS, O_WINDOWS, O_OUTPUT, O_FORCE, O_BASELINE, O_ARCH,
    O_OS_VERSION, O_LANG, O_SUPPRESSIONS, O_VERBOSE, O_COLOR, O_NO_FIXES, O_JOBS, O_RECURSIVE, O_HIVE_TIMEOUT,
    O_HIVE_MEMORY, O_SUMMARY, O_READER, O_TIMINGS, O_FIX_OUT, O_NO_COLOR, O_VOLUME, O_INSTALLATION, O_HASH_IMAGE,
    O_HELP,
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
     "A transaction log to replay (repeatable; refused when it is not a usable regular file). "
     "Default: HIVE.LOG, HIVE.LOG1, HIVE.LOG2 beside the hive, in any letter case; one of those that "
     "is not a regular file, is the hive itself or is over 1 GiB is ignored with a note."},
    {O_FORMAT, "format", 'f', "text|json|sarif|dot|jsonl|html", CMD_ALL & ~CMD_RECOVER,
     "Output format (default text). sarif: analyze and lint. dot: stack and explain (Graphviz). "
     "jsonl: one JSON object per line (analyze of several hives). html: analyze, explain and diff as one "
     "self-contained page (no script, nothing fetched, printable) with the boot timeline drawn."},
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
    {O_OUTPUT, "output", 'o', "FILE", CMD_ALL_REPORTS,
     "recover: the file to write (required). Other commands: write the report to FILE instead of "
     "standard output (- is standard output). FILE is written beside itself and renamed when "
     "complete; it is refused when it is an input (the hive, a log found beside it or named, a "
     "disk image or any of its segments, an "
     "INF, a baseline, a knowledge file, through any link), a transaction log name of an input "
     "hive, not a regular file (a device, a FIFO, a directory), or an existing file without "
     "--force."},
    {O_FORCE, "force", 0, NULL, CMD_ALL_REPORTS,
     "Let -o (and --fix-out) replace an existing regular file (never an input)."},
    {O_BASELINE, "baseline", 'b', "HIVE|DIR", CMD_LINT,
     "A SYSTEM hive (or regedit-style text) to apply the INFs to. Repeatable, and a directory "
     "stands for every file in it: the INFs are then judged against each configuration, in "
     "parallel (-j), with a verdict per baseline. Without it, a built-in minimal Windows boot "
     "configuration is used (see doc/lint.md)."},
    {O_ARCH, "arch", 0, "amd64|x86|arm64", CMD_LINT,
     "Target architecture for decorated INF sections (default amd64)."},
    {O_OS_VERSION, "os-version", 0, "MAJOR.MINOR[.BUILD]", CMD_LINT,
     "Target Windows version for TargetOSVersion decorations (default 10.0.19041)."},
    {O_LANG, "lang", 0, "LANGID", CMD_LINT, "Locale for [Strings.LANGID] sections (default 0409)."},
    {O_SUPPRESSIONS, "suppressions", 0, "FILE", CMD_LINT,
     "Suppress findings listed in FILE, one a line: RULE [inf=PATH[:LINE]] [id=ID] [service=NAME] "
     "[baseline=PATH] -- REASON (doc/lint.md). Suppressed findings are still reported, marked as "
     "such, and do not count for --fail-on; so are those of `; bootlens: ignore RULE reason` "
     "comments in the INFs."},
    {O_VERBOSE, "verbose", 'v', NULL, CMD_ALL,
     "Show info findings, more detail, and long lists in full (they are capped at 20 entries with a count)."},
    {O_COLOR, "color", 0, NULL, CMD_ALL,
     "Colour severities in text output, even into a pipe (default: when standard output is a terminal and "
     "NO_COLOR is not set)."},
    {O_NO_COLOR, "no-color", 0, NULL, CMD_ALL, "No colour, even on a terminal (as NO_COLOR does)."},
    {O_NO_FIXES, "no-fixes", 0, NULL, CMD_ANALYZE | CMD_LINT,
     "Do not search for and re-simulate fixes (faster)."},
    {O_FIX_OUT, "fix-out", 0, "FIX.reg", CMD_ANALYZE,
     "Write the verified fixes, merged so that none undoes another and re-simulated together, as two "
     ".reg files: FIX.reg for the running system (CurrentControlSet; reg import FIX.reg) and "
     "FIX-offline.reg for the hive loaded offline from WinRE (reg load HKLM\\OFFLINE "
     "X:\\Windows\\System32\\config\\SYSTEM, reg import FIX-offline.reg, reg unload HKLM\\OFFLINE), "
     "below the control set analyzed."},
    {O_JOBS, "jobs", 'j', "N", CMD_ANALYZE | CMD_LINT,
     "Analyze several hives (lint: judge the INFs against several baselines) with N parallel "
     "workers, one process per hive for analyze (default: number of CPUs)."},
    {O_RECURSIVE, "recursive", 'r', NULL, CMD_ANALYZE,
     "A directory argument includes the hives in its subdirectories (symbolic links to directories "
     "are not followed). What is not a hive in a directory is skipped with a note."},
    {O_HIVE_TIMEOUT, "hive-timeout", 0, "SECONDS", CMD_ANALYZE,
     "With several hives or a directory: stop the analysis of a hive that takes longer (default 60; 0: "
     "no limit). It is reported with the budget it exceeded and the rest goes on."},
    {O_HIVE_MEMORY, "hive-memory", 0, "MB", CMD_ANALYZE,
     "With several hives or a directory: stop the analysis of a hive whose resident memory grows "
     "beyond MB megabytes (default 1024; 0: no limit; checked every 20 ms)."},
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

unsigned bl_cli_width(void)
{
    const char *cols = getenv("COLUMNS");
    long w = 0;
    if (cols && *cols) {
        char *end;
        w = strtol(cols, &end, 10);
        if (*end)
            w = 0;
    }
    struct winsize ws;
    if (w <= 0 && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
        w = ws.ws_col;
    if (w <= 0)
        w = 100; /* a pipe or a file: what a review tool or a mail shows without scrolling */
    return (unsigned)(w < 40 ? 40 : w > 400 ? 400 : w);
}

/* "text|json|dot": the formats cmd takes (all of them for cmd 0). */
static void formats_text(unsigned mask, bl_sb *sb)
{
    static const char *const names[] = {"text", "json", "sarif", "dot", "jsonl", "html"};
    for (unsigned f = 0; f < BL_ARRAY_LEN(names); f++)
        if (mask & FMT(f))
            bl_sb_addf(sb, "%s%s", sb->len ? "|" : "", names[f]);
}

/* "text, json or dot". */
static void formats_words(unsigned mask, bl_sb *sb)
{
    bl_sb f = {0};
    formats_text(mask, &f);
    const char *last = strrchr(bl_sb_str(&f), '|');
    for (const char *q = bl_sb_str(&f); *q; q++) {
        if (q == last)
            bl_sb_add(sb, " or ");
        else if (*q == '|')
            bl_sb_add(sb, ", ");
        else
            bl_sb_addc(sb, *q);
    }
    bl_sb_free(&f);
}

static unsigned all_formats(void)
{
    unsigned m = 0;
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++)
        m |= commands[i].formats;
    return m;
}

/* "-f, --format text|json" as --help shows it for cmd (0: every command). */
static void option_head(const opt_def *o, unsigned cmd, bl_sb *sb)
{
    bl_sb arg = {0};
    if (o->id == O_FORMAT) {
        const cmd_def *c = find_cmd(cmd);
        formats_text(c ? c->formats : all_formats(), &arg);
    } else if (o->arg) {
        bl_sb_add(&arg, o->arg);
    }
    if (o->short_name)
        bl_sb_addf(sb, "-%c, --%s", o->short_name, o->name);
    else
        bl_sb_addf(sb, "    --%s", o->name);
    if (arg.len)
        bl_sb_addf(sb, " %s", bl_sb_str(&arg));
    bl_sb_free(&arg);
}

void bl_cli_usage(FILE *out, unsigned cmd)
{
    const cmd_def *c = find_cmd(cmd);
    if (!c)
        return;
    unsigned width = bl_cli_width();
    fprintf(out, "usage: bootlens %s\n\n", c->synopsis);
    bl_print_wrapped(out, c->summary, 0, "", width);
    fputs("\nOptions:\n", out);
    /* Names in one column, descriptions aligned in the next, wrapped. */
    size_t col = 0;
    bl_sb head = {0};
    for (size_t i = 0; i < BL_ARRAY_LEN(options); i++) {
        if (!(options[i].cmds & cmd))
            continue;
        bl_sb_reset(&head);
        option_head(&options[i], cmd, &head);
        if (head.len > col)
            col = head.len;
    }
    col = col + 4 > 32 ? 32 : col + 4;
    char indent[40];
    memset(indent, ' ', col);
    indent[col] = '\0';
    for (size_t i = 0; i < BL_ARRAY_LEN(options); i++) {
        const opt_def *o = &options[i];
        if (!(o->cmds & cmd))
            continue;
        bl_sb_reset(&head);
        option_head(o, cmd, &head);
        fprintf(out, "  %s", bl_sb_str(&head));
        size_t at = head.len + 2;
        if (at + 2 > col) {
            fputs("\n", out);
            at = 0;
        }
        fprintf(out, "%*s", (int)(col - at), "");
        bl_print_wrapped(out, o->help, col, indent, width);
    }
    bl_sb_free(&head);
}

void bl_cli_print_help(FILE *out)
{
    unsigned width = bl_cli_width();
    fprintf(out, "bootlens %s — offline analysis of the Windows driver boot configuration in a "
                 "SYSTEM hive\n\nusage: bootlens COMMAND [ARGS] [OPTIONS]\n\nCommands:\n",
            bl_version());
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++) {
        fprintf(out, "  %-9s ", commands[i].name);
        bl_print_wrapped(out, commands[i].synopsis, 12, "              ", width);
    }
    fprintf(out, "\n`bootlens help COMMAND` or `bootlens COMMAND --help` describes a command.\n"
                 "Exit status: 0 clean, 1 findings at or above --fail-on, 2 unusable input or usage.\n");
}

/* Levenshtein distance of a and b ignoring ASCII case, or more than max
 * (computing stops there); both are short names. */
unsigned bl_edit_distance(const char *a, const char *b, unsigned max)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 256 || nb > 256)
        return max + 1;
    if ((na > nb ? na - nb : nb - na) > max)
        return max + 1;
    unsigned row[257];
    for (size_t j = 0; j <= nb; j++)
        row[j] = (unsigned)j;
    for (size_t i = 1; i <= na; i++) {
        unsigned diag = row[0], best = row[0] = (unsigned)i;
        for (size_t j = 1; j <= nb; j++) {
            unsigned up = row[j];
            unsigned cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            unsigned v = diag + cost;
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
    }
    return row[nb];
}

/* How far a mistyped name may be from what was meant. */
unsigned bl_suggest_max(const char *typed)
{
    size_t n = strlen(typed);
    return n <= 3 ? 1 : n <= 8 ? 2 : 3;
}

const char *bl_cli_suggest_command(const char *typed)
{
    const char *best = NULL;
    unsigned bd = bl_suggest_max(typed) + 1;
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++) {
        unsigned d = bl_edit_distance(typed, commands[i].name, bd - 1);
        if (d < bd || (!best && bl_fold_has_prefix(commands[i].name, typed) && *typed)) {
            bd = d < bd ? d : bd;
            best = commands[i].name;
        }
    }
    return best;
}

/* The long option closest to a mistyped one, among those cmd takes. */
static const char *suggest_option(const char *typed, unsigned cmd)
{
    const char *best = NULL;
    unsigned bd = bl_suggest_max(typed) + 1;
    for (size_t i = 0; i < BL_ARRAY_LEN(options); i++) {
        if (!(options[i].cmds & cmd))
            continue;
        unsigned d = bl_edit_distance(typed, options[i].name, bd - 1);
        if (d < bd) {
            bd = d;
            best = options[i].name;
        }
    }
    return best;
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
    fprintf(out, ".TH BOOTLENS 1 \"\" \"bootlens %s\" \"User Commands\"\n", bl_version());
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
          "wrong, why, and a fix it has re-simulated. Input files are never written, and no output "
          "replaces one (see \\-\\-output). Inputs must be regular files, opened without blocking: a "
          "hive may be at most 2 GiB, a transaction log 1 GiB, an INF 64 MB; larger files are refused "
          "before anything is read, and only the valid part of a hive is read.\n"
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
            bl_sb arg = {0};
            if (o->id == O_FORMAT)
                formats_text(all_formats(), &arg);
            else
                bl_sb_add(&arg, o->arg);
            fputs(" \" \"\n.I ", out);
            man_text(out, bl_sb_str(&arg));
            bl_sb_free(&arg);
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
    fputs(".SH EXAMPLES\n"
          ".SS Support: a customer's machine boots slowly or loses a device\n"
          ".nf\n"
          "bootlens analyze SYSTEM\n"
          "bootlens explain SYSTEM vsepflt\n"
          "bootlens analyze SYSTEM \\-\\-format html \\-o report.html\n"
          "bootlens analyze SYSTEM \\-\\-fix\\-out FIX.reg\n"
          ".fi\n.PP\n"
          "The answer first: which filter delays which devices and what breaks; then a fix bootlens "
          "re-simulated. FIX.reg is for the running system (reg import FIX.reg); FIX\\-offline.reg for "
          "the hive loaded from WinRE (reg load HKLM\\eOFFLINE X:\\eWindows\\eSystem32\\econfig\\eSYSTEM, "
          "reg import FIX\\-offline.reg, reg unload HKLM\\eOFFLINE).\n"
          ".SS Forensics: a hive copied from a disk image, maybe dirty\n"
          ".nf\n"
          "bootlens analyze evidence/SYSTEM \\-\\-format json > analysis.json\n"
          "bootlens recover evidence/SYSTEM \\-o SYSTEM.recovered\n"
          "bootlens diff SYSTEM \\-\\-control\\-set current \\-\\-control\\-set\\-b lastknowngood\n"
          ".fi\n.PP\n"
          "Transaction logs beside the hive are replayed in memory; the evidence is never written. diff "
          "shows what changed between two hives or control sets, with each changed key's last-write "
          "time.\n"
          ".SS CI: lint a driver INF change\n"
          ".nf\n"
          "bootlens lint \\-\\-baseline SYSTEM driver.inf \\-\\-format sarif > lint.sarif\n"
          "bootlens lint driver.inf \\-\\-fail\\-on warning\n"
          ".fi\n.PP\n"
          "Exit status 1 fails the build when the INF introduces a finding at or above \\-\\-fail\\-on; "
          "the SARIF results point at the INF lines.\n"
          ".SH ENVIRONMENT\n"
          ".TP\n.B NO_COLOR\nWhen set (to anything), text output is not coloured; \\-\\-color overrides it.\n"
          ".TP\n.B COLUMNS\nThe width text output is wrapped to. Without it: the terminal's width, or 100 "
          "columns when standard output is not a terminal. Registry paths, evidence and .reg lines are "
          "never wrapped, so they can be copied as they are.\n"
          ".SH FORENSIC WORKFLOW\n"
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

/* A placeholder in an option's argument ("N", "NAME", "GUID"): a word
 * with an upper-case letter and none in lower case (a number, "7" or
 * "10", is a real value).  Completion offers only real values. */
static bool placeholder(const char *w, size_t n)
{
    bool upper = false;
    for (size_t i = 0; i < n; i++) {
        if (islower((unsigned char)w[i]))
            return false;
        upper |= isupper((unsigned char)w[i]) != 0;
    }
    return upper;
}

static bool takes_file(const opt_def *o)
{
    return o->arg && (strstr(o->arg, "FILE") || strstr(o->arg, "HIVE") || strstr(o->arg, ".reg"));
}

/* A bash completion script generated from the same tables, so it never
 * drifts from the options bootlens really takes: per command its options
 * and the formats it takes; an option's fixed values, never placeholders;
 * files where an option takes a file. */
void bl_cli_print_bash_completion(FILE *out)
{
    fputs("# bash completion for bootlens (generated by `bootlens --completion bash`)\n"
          "_bootlens()\n{\n"
          "    local cur prev cmd opts formats\n"
          "    cur=${COMP_WORDS[COMP_CWORD]}\n"
          "    prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    cmd=${COMP_WORDS[1]}\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W \"",
          out);
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++)
        fprintf(out, "%s ", commands[i].name);
    fputs("help --help --version\" -- \"$cur\"))\n        return\n    fi\n"
          "    case $cmd in\n",
          out);
    for (size_t k = 0; k < BL_ARRAY_LEN(commands); k++) {
        bl_sb f = {0};
        formats_text(commands[k].formats, &f);
        for (size_t i = 0; i < f.len; i++)
            if (f.buf[i] == '|')
                f.buf[i] = ' ';
        fprintf(out, "        %s) formats=\"%s\"; opts=\"", commands[k].name, bl_sb_str(&f));
        bl_sb_free(&f);
        bool first = true;
        for (size_t i = 0; i < BL_ARRAY_LEN(options); i++)
            if (options[i].cmds & commands[k].cmd) {
                fprintf(out, "%s--%s", first ? "" : " ", options[i].name);
                first = false;
            }
        fputs("\" ;;\n", out);
    }
    fputs("        help) COMPREPLY=($(compgen -W \"", out);
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++)
        fprintf(out, "%s%s", i ? " " : "", commands[i].name);
    fputs("\" -- \"$cur\")); return ;;\n"
          "        *) return ;;\n    esac\n"
          "    case $prev in\n"
          "        --format|-f) COMPREPLY=($(compgen -W \"$formats\" -- \"$cur\")); return ;;\n",
          out);
    bl_sb files = {0}, free_text = {0};
    for (size_t i = 0; i < BL_ARRAY_LEN(options); i++) {
        const opt_def *o = &options[i];
        if (!o->arg || o->id == O_FORMAT)
            continue;
        bl_sb *names = takes_file(o) ? &files : &free_text;
        bl_sb words = {0};
        for (const char *p = o->arg; !takes_file(o);) {
            size_t n = strcspn(p, "|");
            if (!placeholder(p, n) && !strchr(o->arg, ' '))
                bl_sb_addf(&words, "%s%.*s", words.len ? " " : "", (int)n, p);
            if (!p[n])
                break;
            p += n + 1;
        }
        if (words.len) {
            fprintf(out, "        --%s", o->name);
            if (o->short_name)
                fprintf(out, "|-%c", o->short_name);
            fprintf(out, ") COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n", bl_sb_str(&words));
        } else {
            bl_sb_addf(names, "%s--%s", names->len ? "|" : "", o->name);
            if (o->short_name)
                bl_sb_addf(names, "|-%c", o->short_name);
        }
        bl_sb_free(&words);
    }
    fprintf(out, "        %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", bl_sb_str(&files));
    /* A name, a number or a free list: nothing sensible to offer. */
    fprintf(out, "        %s) COMPREPLY=(); return ;;\n", bl_sb_str(&free_text));
    bl_sb_free(&files);
    bl_sb_free(&free_text);
    fputs("    esac\n"
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
    case O_BASELINE:
        if (c->nbaselines >= BL_MAX_BASELINES)
            return usage_error(c, "too many --baseline options (at most 4096; name a directory)%s", "");
        if (!c->baseline)
            c->baseline = v;
        c->baselines[c->nbaselines++] = v;
        break;
    case O_SUPPRESSIONS:
        if (c->suppressions)
            return usage_error(c, "--suppressions given twice (one file holds them all)%s", "");
        c->suppressions = v;
        break;
    case O_ARCH: c->arch = v; break;
    case O_OS_VERSION: c->os_version = v; break;
    case O_LANG: c->lang = v; break;
    case O_VERBOSE: c->verbose = true; break;
    case O_COLOR:
        c->color = true;
        c->color_set = true;
        break;
    case O_NO_COLOR:
        c->color = false;
        c->color_set = true;
        break;
    case O_NO_FIXES: c->no_fixes = true; break;
    case O_JOBS: {
        char *end;
        long j = strtol(v, &end, 10);
        if (*end || j < 1 || j > 256)
            return usage_error(c, "--jobs %s: expected a number from 1 to 256", v);
        c->jobs = (int)j;
        break;
    }
    case O_RECURSIVE: c->recursive = true; break;
    case O_HIVE_TIMEOUT:
    case O_HIVE_MEMORY: {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || !*v || n < 0 || n > 1000000)
            return usage_error(c, o->id == O_HIVE_TIMEOUT ? "--hive-timeout %s: expected seconds (0: no limit)"
                                                          : "--hive-memory %s: expected megabytes (0: no limit)",
                               v);
        if (o->id == O_HIVE_TIMEOUT)
            c->hive_timeout = (int)n;
        else
            c->hive_memory = (int)n;
        break;
    }
    case O_SUMMARY: c->summary = true; break;
    case O_FORCE: c->force = true; break;
    case O_TIMINGS: c->timings = true; break;
    case O_FIX_OUT: c->fix_out = v; break;
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
    c->hive_timeout = BL_DEFAULT_HIVE_TIMEOUT;
    c->hive_memory = BL_DEFAULT_HIVE_MEMORY;
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
        if (!o || !(o->cmds & cmd)) {
            char what[160];
            const char *near = NULL;
            if (a[1] == '-') {
                size_t n = strcspn(a + 2, "=");
                char typed[64];
                snprintf(typed, sizeof typed, "%.*s", (int)(n < 63 ? n : 63), a + 2);
                near = suggest_option(typed, cmd);
            }
            if (near)
                snprintf(what, sizeof what, "%.60s (did you mean --%s?)", a, near);
            else
                snprintf(what, sizeof what, "%.60s", a);
            return usage_error(c, "unknown option %s", what);
        }
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
    /* Colour: --color/--no-color, else NO_COLOR, else a terminal; never in
     * a machine format. */
    if (c->format != BL_FMT_TEXT || (c->output && !c->color_set))
        c->color = false;
    c->width = c->output ? 100 : bl_cli_width();
    const cmd_def *def = find_cmd(cmd);
    if (c->format_set && def && !(def->formats & FMT(c->format))) {
        bl_sb msg = {0};
        bl_sb_addf(&msg, "%s: --format must be ", cmd_name);
        formats_words(def->formats, &msg);
        int rc = bl_input_error(bl_sb_str(&msg));
        bl_sb_free(&msg);
        return rc;
    }
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
