/* cmd_recover.c — `bootlens recover HIVE -o OUT`: replay the transaction
 * logs of a dirty hive into a new file.  The input is opened read-only and
 * OUT may not be the input (or one of its logs). */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cmd_recover(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_RECOVER, "recover", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs != 1 || !c.output) 
        return bl_usage_error(c.cmd_name, "expected HIVE and -o OUT");
    const char *in = c.args[0];
    char msg[1200];
    if (same_file(in, c.output)) {
        snprintf(msg, sizeof msg, "%s: refusing to overwrite the input hive", c.output);
        return bl_input_error(msg);
    }
    for (size_t i = 0; i < c.nlogs; i++)
        if (same_file(c.logs[i], c.output)) {
            snprintf(msg, sizeof msg, "%s: refusing to overwrite a transaction log", c.output);
            return bl_input_error(msg);
        }
    bl_hive_options ho = {0};
    if (c.nlogs) {
        ho.logs = c.logs;
        ho.nlogs = c.nlogs;
    }
    bl_hive *h;
    bl_error err = {{0}};
    bl_source src;
    if (bl_source_open_hive(&c, in, &ho, &h, &src, &err) != 0)
        return bl_input_error(err.msg);
    if (bl_source_is_input(&src, c.output)) {
        snprintf(msg, sizeof msg, "%s: refusing to overwrite the disk image", c.output);
        bl_hive_close(h);
        bl_source_close(&src);
        return bl_input_error(msg);
    }
    const bl_hive_info *hi = bl_hive_get_info(h);
    in = hi->path; /* the origin, for an image */
    if (hi->dirty && !hi->recovered) {
        snprintf(msg, sizeof msg, "%s: dirty, and no transaction log could recover it (%s)", in,
                 hi->nproblems ? hi->problems[0].reason : "no log found");
        bl_hive_close(h);
        bl_source_close(&src);
        return bl_input_error(msg);
    }
    size_t size;
    const uint8_t *img = bl_hive_image(h, &size);
    /* O_EXCL on a temporary name, then rename: never a half-written OUT. */
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", c.output, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(msg, sizeof msg, "%s: cannot create: %s", c.output, strerror(errno));
        bl_hive_close(h);
        bl_source_close(&src);
        return bl_input_error(msg);
    }
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, img + off, size - off);
        if (w <= 0) {
            snprintf(msg, sizeof msg, "%s: write failed: %s", c.output, strerror(errno));
            close(fd);
            unlink(tmp);
            bl_hive_close(h);
            bl_source_close(&src);
            return bl_input_error(msg);
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, c.output) != 0) {
        snprintf(msg, sizeof msg, "%s: cannot finish writing: %s", c.output, strerror(errno));
        unlink(tmp);
        bl_hive_close(h);
        bl_source_close(&src);
        return bl_input_error(msg);
    }
    if (hi->recovered)
        fprintf(stderr, "bootlens: %s: replayed %u %s-format log entr%s (%u pages) from %u log%s; "
                        "sequence %u; wrote %s\n",
                in, hi->recovery.entries, hi->recovery.format, hi->recovery.entries == 1 ? "y" : "ies",
                hi->recovery.pages, hi->recovery.logs_applied, hi->recovery.logs_applied == 1 ? "" : "s",
                hi->recovery.final_seq, c.output);
    else
        fprintf(stderr, "bootlens: %s: clean (nothing to replay); wrote an identical copy to %s\n", in,
                c.output);
    bl_hive_close(h);
    bl_source_close(&src);
    return BL_EXIT_OK;
}
