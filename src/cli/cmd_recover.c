/* cmd_recover.c — `bootlens recover HIVE -o OUT`: replay the transaction
 * logs of a dirty hive into a new file.  The input is opened read-only; OUT
 * is checked against every input (the hive, the logs found beside it or
 * named; for a disk image, its files) before anything is written, written
 * beside itself and renamed only once complete (output.c). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* Why recovery did not happen: the hive layer's last note says it. */
static const char *unrecovered_reason(const bl_hive_info *hi)
{
    if (hi->recovery.nnotes)
        return hi->recovery.notes[hi->recovery.nnotes - 1];
    return hi->nproblems ? hi->problems[0].reason : "no transaction log found beside it";
}

int cmd_recover(int argc, char **argv)
{
    bl_cli c;
    int rc = bl_cli_parse(&c, CMD_RECOVER, "recover", argc, argv);
    if (rc)
        return rc < 0 ? BL_EXIT_OK : rc;
    if (c.nargs != 1 || !c.output)
        return bl_usage_error(c.cmd_name, "expected HIVE and -o OUT");
    const char *in_path = c.args[0];
    bl_inputs in;
    bl_output dest;
    if ((rc = bl_cli_report_open(&c, &in, &dest)) != 0)
        return rc;
    bl_hive_options ho = {0};
    if (c.nlogs) {
        ho.logs = c.logs;
        ho.nlogs = c.nlogs;
    }
    bl_hive *h;
    bl_error err = {{0}};
    bl_source src;
    if (bl_source_open_hive(&c, in_path, &ho, &h, &src, &err) != 0) {
        bl_output_abort(&dest);
        bl_inputs_free(&in);
        return bl_input_error(err.msg);
    }
    const bl_hive_info *hi = bl_hive_get_info(h);
    const char *origin = hi->path; /* the origin, for a hive inside an image */
    if (bl_source_is_input(&src, c.output)) {
        /* The image's files are known only once it is open (split segments). */
        bl_error_set(&err, "%s: is a file of the disk image %s: refusing to replace an input", c.output, in_path);
    } else if (hi->dirty && !hi->recovered) {
        bl_error_set(&err, "%s: not recovered: %s", origin, unrecovered_reason(hi));
    } else if (fflush(dest.fp) != 0 || bl_hive_write_image(h, dest.fd, c.output, &err) != 0) {
        if (!err.msg[0])
            bl_error_set(&err, "%s: cannot write", c.output);
    }
    if (err.msg[0]) {
        bl_output_abort(&dest);
        bl_inputs_free(&in);
        bl_hive_close(h);
        bl_source_close(&src);
        return bl_input_error(err.msg);
    }
    if ((rc = bl_cli_output_commit(&dest, &in)) != 0) {
        bl_inputs_free(&in);
        bl_hive_close(h);
        bl_source_close(&src);
        return rc;
    }
    if (hi->recovered) {
        bl_sb what = {0};
        bl_recovery_text(&hi->recovery, &what);
        fprintf(stderr, "bootlens: %s: replayed %s; sequence %u; wrote %s\n", origin, bl_sb_str(&what),
                hi->recovery.final_seq, c.output);
        bl_sb_free(&what);
        /* What the replay could not do is part of the answer. */
        for (uint32_t i = 0; i < hi->recovery.nnotes; i++)
            fprintf(stderr, "bootlens: note: %s\n", hi->recovery.notes[i]);
    } else {
        fprintf(stderr, "bootlens: %s: clean (nothing to replay); wrote an identical copy to %s\n", origin,
                c.output);
    }
    bl_inputs_free(&in);
    bl_hive_close(h);
    bl_source_close(&src);
    return BL_EXIT_OK;
}
