/* evidence.c — what an analysis was read from, for the record: the hive
 * file or its origin inside a disk image, its transaction logs, the image's
 * files, each with its size and SHA-256 (the hive's entry of the JSON
 * envelope's "inputs", report/json.c), and the one-line account of the
 * evidence in text reports. */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <string.h>

static cJSON *hex_or_null(bool hashed, const uint8_t *digest)
{
    if (!hashed)
        return cJSON_CreateNull();
    char hex[BL_SHA256_HEX];
    bl_sha256_hex(digest, hex);
    return cJSON_CreateString(hex);
}

/* The path of an input on its volume: its origin past "IMAGE#VOL:". */
static const char *volume_path(const bl_image_source *ev, const char *origin)
{
    size_t n = strlen(ev->image->path);
    if (strncmp(origin, ev->image->path, n) != 0 || origin[n] != '#')
        return origin;
    const char *p = origin + n + 1;
    const char *colon = strchr(p, ':');
    return colon && *ev->volume ? colon + 1 : p;
}

static bool was_applied(const bl_hive_info *hi, const char *path)
{
    for (uint32_t i = 0; i < hi->recovery.logs_applied && i < BL_MAX_LOGS; i++)
        if (strcmp(hi->recovery.applied[i], path) == 0)
            return true;
    return false;
}

/* The disk image a hive came from: the container, the volume and
 * installation, its files with their digests, what it had to say. */
static cJSON *image_json(const bl_image_source *ev)
{
    const bl_image_info *img = ev->image;
    cJSON *io = cJSON_CreateObject();
    cJSON_AddStringToObject(io, "path", img->path);
    cJSON_AddStringToObject(io, "format", img->format);
    cJSON_AddStringToObject(io, "detail", img->detail);
    cJSON_AddNumberToObject(io, "media_size", (double)img->media_size);
    cJSON_AddStringToObject(io, "volume", ev->volume);
    if (ev->installation)
        cJSON_AddStringToObject(io, "installation", ev->installation);
    else
        cJSON_AddNullToObject(io, "installation");
    cJSON_AddBoolToObject(io, "sha256_computed", !ev->hash_skipped);
    cJSON *files = cJSON_AddArrayToObject(io, "files");
    for (uint32_t i = 0; i < img->nfiles; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "path", img->files[i].path);
        cJSON_AddNumberToObject(f, "size", (double)img->files[i].size);
        cJSON_AddItemToObject(f, "sha256", hex_or_null(img->files[i].hashed, img->files[i].sha256));
        cJSON_AddItemToArray(files, f);
    }
    cJSON *notes = cJSON_AddArrayToObject(io, "notes");
    for (uint32_t i = 0; i < img->nnotes; i++)
        cJSON_AddItemToArray(notes, cJSON_CreateString(img->notes[i]));
    return io;
}

void bl_json_add_analysis_inputs(cJSON *inputs, const bl_analysis *a, const char *role)
{
    const bl_hive_info *hi = a->hive;
    const bl_image_source *ev = a->image;
    cJSON *hive = NULL;
    cJSON *logs = cJSON_CreateArray();
    for (uint32_t i = 0; hi && i < hi->ninputs; i++) {
        const bl_hive_input *x = &hi->inputs[i];
        const char *path = ev ? volume_path(ev, x->path) : x->path;
        if (x->is_log) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "origin", x->path);
            cJSON_AddStringToObject(o, "path", path);
            cJSON_AddNumberToObject(o, "size", (double)x->size);
            cJSON_AddItemToObject(o, "sha256", hex_or_null(x->hashed, x->sha256));
            cJSON_AddBoolToObject(o, "applied", was_applied(hi, x->path));
            cJSON_AddItemToArray(logs, o);
        } else if (!hive) {
            hive = bl_json_add_input(inputs, role, x->path, path, (int64_t)x->size, x->hashed ? x->sha256 : NULL);
        }
    }
    if (hive) {
        cJSON_AddItemToObject(hive, "logs", logs);
        cJSON_AddItemToObject(hive, "image", ev ? image_json(ev) : cJSON_CreateNull());
    } else {
        cJSON_Delete(logs);
    }
    bl_json_add_file_inputs(inputs, a->files, a->nfiles);
}

void bl_report_evidence_text(FILE *out, const bl_analysis *a)
{
    const bl_image_source *ev = a->image;
    if (!ev)
        return;
    const bl_image_info *img = ev->image;
    fprintf(out, "Evidence: %s (%s%s%s), read-only", img->path, img->format, img->detail[0] ? ", " : "",
            img->detail);
    if (ev->hash_skipped) {
        fputs("; image SHA-256 not computed (--hash-image computes it)\n", out);
    } else if (img->nfiles == 1 && img->files[0].hashed) {
        char hex[BL_SHA256_HEX];
        bl_sha256_hex(img->files[0].sha256, hex);
        fprintf(out, "; sha256 %s\n", hex);
    } else {
        fputc('\n', out);
        for (uint32_t i = 0; i < img->nfiles; i++) {
            char hex[BL_SHA256_HEX];
            if (img->files[i].hashed)
                bl_sha256_hex(img->files[i].sha256, hex);
            fprintf(out, "  %s  sha256 %s\n", img->files[i].path, img->files[i].hashed ? hex : "(unreadable)");
        }
    }
    for (uint32_t i = 0; i < img->nnotes; i++)
        fprintf(out, "Image: %s\n", img->notes[i]);
}
