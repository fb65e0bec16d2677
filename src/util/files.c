/* files.c — how bootlens touches the file system: inputs are opened
 * read-only without ever blocking and must be regular files; outputs are
 * written to a temporary file beside the target and renamed over it only when
 * complete, and an output may never replace an input (the promise a forensic
 * tool owes its evidence), whatever path, symlink or hard link names it. */
#include "bootlens/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *bl_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "regular file";
    case S_IFDIR: return "directory";
    case S_IFIFO: return "FIFO";
    case S_IFCHR: return "character device";
    case S_IFBLK: return "block device";
    case S_IFSOCK: return "socket";
    case S_IFLNK: return "symbolic link";
    default: return "special file";
    }
}

/* Contract: see util.h.  The type is checked before the open as well as
 * after it: opening some devices has effects of its own (a tape rewinds),
 * and the fstat after the open is what makes the check race-free. */
int bl_open_input(const char *path, struct stat *st, bl_error *err)
{
    if (stat(path, st) == 0 && !S_ISREG(st->st_mode)) {
        bl_error_set(err, "%s: is a %s, not a regular file", path, bl_file_kind(st->st_mode));
        return -1;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        bl_error_set(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st) != 0) {
        bl_error_set(err, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        bl_error_set(err, "%s: is a %s, not a regular file", path, bl_file_kind(st->st_mode));
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

static int read_file(const char *path, size_t max_size, bool head, uint8_t **data, size_t *size, bl_error *err)
{
    struct stat st;
    int fd = bl_open_input(path, &st, err);
    if (fd < 0)
        return -1;
    if ((uint64_t)st.st_size > max_size && !head) {
        bl_error_set(err, "%s: file is %lld bytes, more than the %zu-byte limit", path,
                     (long long)st.st_size, max_size);
        close(fd);
        return -1;
    }
    size_t n = (uint64_t)st.st_size > max_size ? max_size : (size_t)st.st_size;
    uint8_t *buf = bl_xmalloc(n + 1);
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        bl_error_set(err, "%s: read error%s%s", path, errno ? ": " : "", errno ? strerror(errno) : "");
        free(buf);
        return -1;
    }
    buf[n] = 0;
    *data = buf;
    *size = n;
    return 0;
}

int bl_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size, bl_error *err)
{
    return read_file(path, max_size, false, data, size, err);
}

int bl_read_file_head(const char *path, size_t max_size, uint8_t **data, size_t *size, bl_error *err)
{
    return read_file(path, max_size, true, data, size, err);
}

/* ---- inputs ---- */

void bl_inputs_add(bl_inputs *in, const char *path, const char *role)
{
    if (!path || !*path)
        return;
    bl_grow((void **)&in->v, sizeof *in->v, &in->cap, in->n + 1);
    bl_input *e = &in->v[in->n++];
    memset(e, 0, sizeof *e);
    e->path = bl_xstrdup(path);
    e->role = role;
    e->is_hive = strcmp(role, "hive") == 0 || strcmp(role, "baseline") == 0;
    struct stat st;
    if (stat(path, &st) == 0) {
        e->exists = true;
        e->dev = (uint64_t)st.st_dev;
        e->ino = (uint64_t)st.st_ino;
    }
}

void bl_inputs_free(bl_inputs *in)
{
    for (uint32_t i = 0; i < in->n; i++)
        free(in->v[i].path);
    free(in->v);
    memset(in, 0, sizeof *in);
}

/* ---- outputs ---- */

/* The directory part of path ("." when there is none) and its last part. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return bl_xstrdup(".");
    return bl_xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool same_dir(const char *a, const char *b)
{
    char *da = dir_of(a), *db = dir_of(b);
    struct stat sa, sb;
    bool same = stat(da, &sa) == 0 && stat(db, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    free(da);
    free(db);
    return same;
}

/* Whether name is HIVE.LOG, HIVE.LOG1 or HIVE.LOG2 for the hive's base name,
 * in any letter case (how the hive layer finds logs). */
static bool is_log_name(const char *name, const char *hive_base)
{
    size_t n = strlen(hive_base);
    if (strncasecmp(name, hive_base, n) != 0)
        return false;
    const char *suffix = name + n;
    return strcasecmp(suffix, ".LOG") == 0 || strcasecmp(suffix, ".LOG1") == 0 || strcasecmp(suffix, ".LOG2") == 0;
}

/* The checks of bl_output_open (and again at commit). */
static int check_target(const char *path, bool force, const bl_inputs *in, bl_error *err)
{
    struct stat lst, st;
    bool present = lstat(path, &lst) == 0;
    if (!present && errno != ENOENT) {
        bl_error_set(err, "%s: cannot check the output path: %s", path, strerror(errno));
        return -1;
    }
    bool resolved = present && stat(path, &st) == 0;
    for (uint32_t i = 0; resolved && in && i < in->n; i++) {
        const bl_input *e = &in->v[i];
        if (e->exists && e->dev == (uint64_t)st.st_dev && e->ino == (uint64_t)st.st_ino) {
            bl_error_set(err, "%s: is the same file as the %s %s: refusing to replace an input", path, e->role,
                         e->path);
            return -1;
        }
    }
    for (uint32_t i = 0; in && i < in->n; i++) {
        const bl_input *e = &in->v[i];
        if (e->is_hive && is_log_name(base_of(path), base_of(e->path)) && same_dir(path, e->path)) {
            bl_error_set(err,
                         "%s: is a transaction log name of the hive %s (it would be replayed into it): "
                         "refusing to write it",
                         path, e->path);
            return -1;
        }
    }
    if (!present)
        return 0;
    const struct stat *t = resolved ? &st : &lst;
    if (!S_ISREG(t->st_mode) && !S_ISLNK(t->st_mode)) {
        bl_error_set(err, "%s: is a %s, not a regular file: refusing to write to it", path,
                     bl_file_kind(t->st_mode));
        return -1;
    }
    if (!force) {
        bl_error_set(err, "%s: already exists (--force replaces it)", path);
        return -1;
    }
    return 0;
}

int bl_output_open(bl_output *o, const char *path, bool force, const bl_inputs *in, bl_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    if (strcmp(path, "-") == 0) {
        o->path = bl_xstrdup(path);
        o->fd = STDOUT_FILENO;
        o->fp = stdout;
        return 0;
    }
    if (!*path) {
        bl_error_set(err, "the output path is empty");
        return -1;
    }
    if (check_target(path, force, in, err) != 0)
        return -1;
    char *dir = dir_of(path);
    bl_sb tmp = {0};
    bl_sb_addf(&tmp, "%s/.%s.bootlens-XXXXXX", dir, base_of(path));
    free(dir);
    int fd = mkstemp(tmp.buf);
    if (fd < 0) {
        bl_error_set(err, "%s: cannot create a file beside it: %s", path, strerror(errno));
        bl_sb_free(&tmp);
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    /* mkstemp creates 0600; an output gets the mode a plain creat would. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    o->fp = fdopen(fd, "w");
    if (!o->fp) {
        bl_error_set(err, "%s: cannot write: %s", path, strerror(errno));
        close(fd);
        unlink(tmp.buf);
        bl_sb_free(&tmp);
        return -1;
    }
    o->fd = fd;
    o->path = bl_xstrdup(path);
    o->tmp = bl_sb_detach(&tmp);
    /* At commit the checks run again, with the same leniency. */
    o->force = force;
    return 0;
}

static void output_release(bl_output *o)
{
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    o->fd = -1;
}

int bl_output_commit(bl_output *o, const bl_inputs *in, bl_error *err)
{
    if (!o->tmp) {
        int bad = fflush(o->fp) != 0 || ferror(o->fp);
        if (bad)
            bl_error_set(err, "standard output: write error: %s", strerror(errno));
        output_release(o);
        return bad ? -1 : 0;
    }
    const char *why = NULL;
    if (fflush(o->fp) != 0 || ferror(o->fp))
        why = "cannot write";
    else if (fsync(o->fd) != 0)
        why = "cannot sync";
    int saved = errno;
    if (fclose(o->fp) != 0 && !why) {
        why = "cannot write";
        saved = errno;
    }
    o->fp = NULL;
    if (why) {
        bl_error_set(err, "%s: %s: %s", o->path, why, strerror(saved));
    } else if (check_target(o->path, o->force, in, err) != 0) {
        why = "changed";
    } else if (rename(o->tmp, o->path) != 0) {
        why = "rename";
        bl_error_set(err, "%s: cannot put the output in place: %s", o->path, strerror(errno));
    }
    if (why)
        unlink(o->tmp);
    output_release(o);
    return why ? -1 : 0;
}

void bl_output_abort(bl_output *o)
{
    if (o->tmp) {
        if (o->fp)
            fclose(o->fp);
        unlink(o->tmp);
    }
    output_release(o);
}
