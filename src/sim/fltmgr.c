/* fltmgr.c — the file-system filter stack: the altitude table
 * (data/altitudes.txt), altitudes as decimal strings, and the walk that
 * places filter manager frames, minifilters and legacy filters along the
 * boot timeline.  sim.h states the model and where it is approximate. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

extern const char bl_builtin_altitudes[];

/* Frame 0's range when FltMgr creates it (the article's "default altitude
 * range of 0 to 49999"). */
#define FRAME0_LOW  "0"
#define FRAME0_HIGH "49999"

/* ---- altitudes ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool bl_altitude_valid(const char *s)
{
    if (!s || !is_digit(*s))
        return false;
    while (is_digit(*s))
        s++;
    if (*s == '.') {
        s++;
        if (!is_digit(*s))
            return false;
        while (is_digit(*s))
            s++;
    }
    return *s == '\0';
}

/* The whole part without its leading zeros ("" for zero). */
static const char *whole_digits(const char *s, size_t *len)
{
    while (*s == '0')
        s++;
    size_t n = 0;
    while (is_digit(s[n]))
        n++;
    *len = n;
    return s;
}

int bl_altitude_cmp(const char *a, const char *b)
{
    size_t la, lb;
    a = whole_digits(a, &la);
    b = whole_digits(b, &lb);
    if (la != lb)
        return la < lb ? -1 : 1;
    int c = memcmp(a, b, la);
    if (c)
        return c < 0 ? -1 : 1;
    a += la;
    b += lb;
    if (*a == '.')
        a++;
    if (*b == '.')
        b++;
    /* A missing fraction digit is a zero: "135000" == "135000.0". */
    while (*a || *b) {
        char da = *a ? *a++ : '0', db = *b ? *b++ : '0';
        if (da != db)
            return da < db ? -1 : 1;
    }
    return 0;
}

/* Appends whole part w (n digits, maybe with leading zeros) and fraction f
 * (fn digits) in normal form. */
static void add_normal(bl_sb *out, const char *w, size_t n, const char *f, size_t fn)
{
    while (n > 1 && *w == '0')
        w++, n--;
    if (n == 0)
        bl_sb_addc(out, '0');
    else
        bl_sb_addn(out, w, n);
    while (fn > 0 && f[fn - 1] == '0')
        fn--;
    if (fn) {
        bl_sb_addc(out, '.');
        bl_sb_addn(out, f, fn);
    }
}

void bl_altitude_normalize(const char *s, bl_sb *out)
{
    size_t n = 0;
    while (is_digit(s[n]))
        n++;
    const char *f = s[n] == '.' ? s + n + 1 : s + n;
    add_normal(out, s, n, f, strlen(f));
}

bool bl_altitude_minus_hundredth(const char *s, bl_sb *out)
{
    if (bl_altitude_cmp(s, "0.01") < 0)
        return false;
    size_t wn = 0;
    while (is_digit(s[wn]))
        wn++;
    const char *f = s[wn] == '.' ? s + wn + 1 : s + wn;
    size_t fn = strlen(f), pad = fn < 2 ? 2 : fn;
    char *d = bl_xmalloc(wn + pad);
    memcpy(d, s, wn);
    memcpy(d + wn, f, fn);
    memset(d + wn + fn, '0', pad - fn);
    /* Borrow from the hundredths digit leftwards; s >= 0.01 guarantees a
     * non-zero digit at or before it. */
    for (size_t i = wn + 1;; i--) {
        if (d[i] > '0') {
            d[i]--;
            break;
        }
        d[i] = '9';
    }
    add_normal(out, d, wn, d + wn, pad);
    free(d);
    return true;
}

/* ---- the altitude table ---- */

static char *trimmed_dup(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    return bl_xstrndup(s, (size_t)(end - s));
}

static char *normalized_dup(const char *s)
{
    bl_sb sb = {0};
    bl_altitude_normalize(s, &sb);
    return bl_sb_detach(&sb);
}

/* Parses "LOW-HIGH" into a row; false with the reason in err. */
static bool parse_range(bl_altitude_range *r, const char *field, const char *label, uint32_t line,
                        bl_error *err)
{
    const char *dash = strchr(field, '-');
    if (!dash) {
        bl_error_set(err, "%s:%u: altitude range \"%s\" is not LOW-HIGH", label, line, field);
        return false;
    }
    char *low = trimmed_dup(field, dash), *high = trimmed_dup(dash + 1, dash + strlen(dash));
    bool ok = false;
    if (!bl_altitude_valid(low) || !bl_altitude_valid(high))
        bl_error_set(err, "%s:%u: altitude range \"%s\": bounds must be decimal numbers", label, line, field);
    else if (bl_altitude_cmp(low, high) > 0)
        bl_error_set(err, "%s:%u: altitude range \"%s\": low bound above high bound", label, line, field);
    else
        ok = true;
    if (ok) {
        r->low = normalized_dup(low);
        r->high = normalized_dup(high);
    }
    free(low);
    free(high);
    return ok;
}

static void range_free(bl_altitude_range *r)
{
    free(r->group);
    free(r->low);
    free(r->high);
    free(r->description);
}

int bl_altitude_table_parse(bl_altitude_table *t, const char *label, const char *text, bl_error *err)
{
    memset(t, 0, sizeof *t);
    uint32_t cap = 0, line = 0;
    for (const char *p = text; *p;) {
        line++;
        const char *end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        const char *q = p;
        p = *end ? end + 1 : end;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q == end || *q == '#')
            continue;
        const char *bar1 = memchr(q, '|', (size_t)(end - q));
        const char *bar2 = bar1 ? memchr(bar1 + 1, '|', (size_t)(end - bar1 - 1)) : NULL;
        if (!bar2) {
            bl_error_set(err, "%s:%u: expected GROUP | LOW-HIGH | DESCRIPTION", label, line);
            goto fail;
        }
        bl_altitude_range r = {0};
        r.line = line;
        r.group = trimmed_dup(q, bar1);
        char *range = trimmed_dup(bar1 + 1, bar2);
        r.description = trimmed_dup(bar2 + 1, end);
        bool ok = true;
        if (!*r.group) {
            bl_error_set(err, "%s:%u: empty group name", label, line);
            ok = false;
        } else if (bl_altitude_table_find(t, r.group)) {
            bl_error_set(err, "%s:%u: group \"%s\" given again (first at line %u)", label, line, r.group,
                         bl_altitude_table_find(t, r.group)->line);
            ok = false;
        } else {
            ok = parse_range(&r, range, label, line, err);
        }
        free(range);
        if (!ok) {
            range_free(&r);
            goto fail;
        }
        bl_grow((void **)&t->v, sizeof *t->v, &cap, t->n + 1);
        t->v[t->n++] = r;
    }
    return 0;
fail:
    bl_altitude_table_free(t);
    return -1;
}

int bl_altitude_table_builtin(bl_altitude_table *t, bl_error *err)
{
    return bl_altitude_table_parse(t, "altitudes.txt", bl_builtin_altitudes, err);
}

void bl_altitude_table_free(bl_altitude_table *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        range_free(&t->v[i]);
    free(t->v);
    memset(t, 0, sizeof *t);
}

const bl_altitude_range *bl_altitude_table_find(const bl_altitude_table *t, const char *group)
{
    for (uint32_t i = 0; group && i < t->n; i++)
        if (bl_fold_eq(t->v[i].group, group))
            return &t->v[i];
    return NULL;
}

/* ---- which services are file-system filters ---- */

static bool in_filter_group(const bl_model *m, const bl_service *s)
{
    const char *g = bl_model_str(m, s->group);
    return bl_fold_has_prefix(g, "FSFilter") || bl_fold_eq(g, "Filter");
}

/* BL_FS_MINIFILTER, BL_FS_LEGACY, or -1 for anything else. */
static int filter_kind(const bl_model *m, uint32_t svc, uint32_t fltmgr)
{
    const bl_service *s = &m->services[svc];
    if (svc == fltmgr || !bl_service_is_driver(s))
        return -1;
    if (s->instances_layout != BL_INST_NONE)
        return BL_FS_MINIFILTER;
    if (s->has_type && s->type == BL_TYPE_FS_DRIVER && in_filter_group(m, s))
        return BL_FS_LEGACY;
    return -1;
}

/* The instance whose altitude decides a minifilter's frame: DefaultInstance,
 * else (no DefaultInstance, or it names no instance) the first one. */
static uint32_t frame_instance(const bl_model *m, const bl_service *s)
{
    if (!s->inst_count)
        return BL_NONE;
    if (s->default_instance) {
        bl_str want = bl_pool_fold(m->pool, s->default_instance);
        for (uint32_t i = 0; i < s->inst_count; i++)
            if (bl_pool_fold(m->pool, m->instances[s->inst_first + i].name) == want)
                return s->inst_first + i;
    }
    return s->inst_first;
}

/* ---- the walk ---- */

static const char *str(const bl_fs_stack *s, bl_str id)
{
    return bl_model_str(s->model, id);
}

static bl_str intern(const bl_fs_stack *s, const char *text)
{
    return bl_pool_str(s->model->pool, text);
}

static bl_fs_event *add_event(bl_fs_stack *s, uint8_t kind, uint32_t filter, uint32_t frame,
                              uint32_t position)
{
    bl_grow((void **)&s->events, sizeof *s->events, &s->capevents, s->nevents + 1);
    bl_fs_event *e = &s->events[s->nevents++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->filter = filter;
    e->frame = frame;
    e->bound_by = BL_NONE;
    e->position = position;
    return e;
}

static uint32_t push_layer(bl_fs_stack *s, bool is_frame, uint32_t index)
{
    bl_grow((void **)&s->layers, sizeof *s->layers, &s->caplayers, s->nlayers + 1);
    s->layers[s->nlayers].is_frame = is_frame;
    s->layers[s->nlayers].index = index;
    return s->nlayers++;
}

static uint32_t new_frame(bl_fs_stack *s, bl_str low, bl_str high, uint32_t created_by, uint32_t position)
{
    bl_grow((void **)&s->frames, sizeof *s->frames, &s->capframes, s->nframes + 1);
    uint32_t k = s->nframes++;
    bl_fs_frame *fr = &s->frames[k];
    fr->low = low;
    fr->high = high;
    fr->created_high = high;
    fr->created_by = created_by;
    fr->position = position;
    fr->layer = push_layer(s, true, k);
    return k;
}

static bool frame_holds(const bl_fs_stack *s, uint32_t k, const char *alt)
{
    return bl_altitude_cmp(str(s, s->frames[k].low), alt) <= 0 &&
           bl_altitude_cmp(alt, str(s, s->frames[k].high)) <= 0;
}

static void register_in(bl_fs_stack *s, uint32_t fi, uint32_t k)
{
    bl_fs_filter *f = &s->filters[fi];
    f->state = BL_FS_PLACED;
    f->frame = k;
    f->layer = s->frames[k].layer;
    /* Two instances at one altitude on a volume: fltmgr attaches the first
     * registered (it has a frame) and refuses the second. */
    for (uint32_t i = 0; i < s->nfilters; i++) {
        const bl_fs_filter *o = &s->filters[i];
        if (i != fi && o->frame != BL_NONE && o->collides_with == BL_NONE &&
            bl_altitude_cmp(str(s, o->altitude), str(s, f->altitude)) == 0) {
            f->collides_with = i;
            break;
        }
    }
    bl_fs_event *e = add_event(s, BL_FS_EV_REGISTER, fi, k, f->position);
    e->from = s->frames[k].low;
    e->to = s->frames[k].high;
}

/* Places loaded minifilter fi whose altitude is valid (sim.h states the rules). */
static void place_minifilter(bl_fs_stack *s, uint32_t fi)
{
    const char *alt = str(s, s->filters[fi].altitude);
    for (uint32_t k = 0; k < s->nframes; k++)
        if (frame_holds(s, k, alt)) {
            register_in(s, fi, k);
            return;
        }
    uint32_t top = s->nframes - 1;
    bl_fs_frame *fr = &s->frames[top];
    uint32_t pos = s->filters[fi].position;
    bl_fs_event *e = add_event(s, BL_FS_EV_NO_FIT, fi, top, pos);
    e->from = fr->low;
    e->to = fr->high;
    /* Frame `top` must now handle every altitude up to the highest legacy
     * filter above it: a new frame could only go above all of them. */
    for (uint32_t l = fr->layer + 1; l < s->nlayers; l++) {
        const bl_fs_filter *lf = &s->filters[s->layers[l].index];
        if (!lf->altitude || bl_altitude_cmp(str(s, lf->altitude), str(s, fr->high)) <= 0)
            continue;
        e = add_event(s, BL_FS_EV_EXTEND, fi, top, pos);
        e->bound_by = s->layers[l].index;
        e->from = fr->high;
        e->to = fr->high = lf->altitude;
    }
    if (bl_altitude_cmp(alt, str(s, fr->high)) <= 0) {
        register_in(s, fi, top);
    } else if (fr->layer + 1 < s->nlayers) {
        uint32_t k = new_frame(s, fr->high, s->filters[fi].altitude, fi, pos);
        e = add_event(s, BL_FS_EV_NEW_FRAME, fi, k, pos);
        e->from = s->frames[k].low;
        e->to = s->frames[k].high;
        register_in(s, fi, k);
    } else {
        e = add_event(s, BL_FS_EV_EXTEND, fi, top, pos);
        e->from = fr->high;
        e->to = fr->high = s->filters[fi].altitude;
        register_in(s, fi, top);
    }
}

static void load_filter(bl_fs_stack *s, uint32_t fi)
{
    bl_fs_filter *f = &s->filters[fi];
    if (f->kind == BL_FS_LEGACY) {
        f->state = BL_FS_PLACED;
        f->layer = push_layer(s, false, fi);
        add_event(s, BL_FS_EV_ATTACH, fi, BL_NONE, f->position);
        return;
    }
    if (!*str(s, f->altitude))
        f->state = BL_FS_NO_ALTITUDE;
    else if (!bl_altitude_valid(str(s, f->altitude)))
        f->state = BL_FS_BAD_ALTITUDE;
    else if (!s->nframes)
        f->state = s->fltmgr_position ? BL_FS_BEFORE_FLTMGR : BL_FS_NO_FLTMGR;
    else {
        place_minifilter(s, fi);
        return;
    }
    add_event(s, BL_FS_EV_SKIP, fi, BL_NONE, f->position);
}

static void add_filter(bl_fs_stack *s, uint32_t svc, int kind, uint32_t position)
{
    const bl_model *m = s->model;
    const bl_service *sv = &m->services[svc];
    bl_grow((void **)&s->filters, sizeof *s->filters, &s->capfilters, s->nfilters + 1);
    bl_fs_filter *f = &s->filters[s->nfilters++];
    memset(f, 0, sizeof *f);
    f->service = svc;
    f->kind = (uint8_t)kind;
    f->position = position;
    f->instance = BL_NONE;
    f->frame = f->layer = f->collides_with = BL_NONE;
    const bl_altitude_range *r = bl_altitude_table_find(&s->altitudes, bl_model_str(m, sv->group));
    f->group_range = r ? (uint32_t)(r - s->altitudes.v) : BL_NONE;
    if (kind == BL_FS_MINIFILTER) {
        f->instance = frame_instance(m, sv);
        f->altitude = f->instance != BL_NONE ? m->instances[f->instance].altitude : 0;
    } else if (r) {
        bl_sb a = {0};
        if (bl_altitude_minus_hundredth(r->high, &a))
            f->altitude = intern(s, bl_sb_str(&a));
        bl_sb_free(&a);
    }
    if (!position)
        f->state = s->model->services[svc].start == BL_START_DEMAND ? BL_FS_NOT_AT_BOOT : BL_FS_NOT_LOADED;
}

/* Placed filters top first; a frame's minifilters by altitude, highest
 * first (equal altitudes in load order). */
static void build_order(bl_fs_stack *s)
{
    s->order = bl_xmalloc((s->nfilters ? s->nfilters : 1) * sizeof *s->order);
    for (uint32_t l = s->nlayers; l-- > 0;) {
        if (!s->layers[l].is_frame) {
            s->order[s->norder++] = s->layers[l].index;
            continue;
        }
        uint32_t first = s->norder;
        for (uint32_t i = 0; i < s->nfilters; i++) {
            if (s->filters[i].frame != s->layers[l].index)
                continue;
            uint32_t j = s->norder++;
            while (j > first && bl_altitude_cmp(str(s, s->filters[s->order[j - 1]].altitude),
                                                str(s, s->filters[i].altitude)) < 0) {
                s->order[j] = s->order[j - 1];
                j--;
            }
            s->order[j] = i;
        }
    }
}

bl_fs_stack *bl_fs_simulate(const bl_model *m, const bl_timeline *t)
{
    bl_fs_stack *s = bl_xcalloc(1, sizeof *s);
    s->model = m;
    bl_error err;
    if (bl_altitude_table_builtin(&s->altitudes, &err) != 0)
        bl_die("built-in %s", err.msg);
    s->fltmgr = bl_model_find_service(m, "FltMgr");
    s->fltmgr_position = bl_timeline_position(t, s->fltmgr);
    /* Loaded filters in timeline order, then the others in registry order. */
    for (uint32_t i = 0; i < t->nloads; i++) {
        int kind = filter_kind(m, t->loads[i].service, s->fltmgr);
        if (kind >= 0)
            add_filter(s, t->loads[i].service, kind, t->loads[i].position);
    }
    for (uint32_t i = 0; i < m->nservices; i++) {
        int kind = filter_kind(m, i, s->fltmgr);
        if (kind >= 0 && !bl_timeline_position(t, i))
            add_filter(s, i, kind, 0);
    }
    /* A minifilter of the lists Windows 8+ initializes first (MsSecFlt is
     * in the Core Driver Services) runs its DriverEntry before FltMgr's, yet
     * registers on every stock machine: how it waits is not in the sources
     * (doc/filters.md), so it is placed when FltMgr comes up, and marked. */
    uint32_t *early = bl_xmalloc((s->nfilters ? s->nfilters : 1) * sizeof *early);
    uint32_t nearly = 0;
    for (uint32_t i = 0, li = 0; i < s->nfilters; i++) {
        bl_fs_filter *f = &s->filters[i];
        if (!f->position)
            break;
        if (!s->nframes && s->fltmgr_position && s->fltmgr_position < f->position) {
            new_frame(s, intern(s, FRAME0_LOW), intern(s, FRAME0_HIGH), BL_NONE, s->fltmgr_position);
            add_event(s, BL_FS_EV_FRAME0, BL_NONE, 0, s->fltmgr_position);
            for (uint32_t k = 0; k < nearly; k++)
                load_filter(s, early[k]);
            nearly = 0;
        }
        while (li < t->nloads && t->loads[li].position < f->position)
            li++;
        bool core = li < t->nloads && t->loads[li].position == f->position && t->loads[li].phase == BL_PHASE_BOOT &&
                    t->loads[li].origin != BL_LIST_GROUP && t->loads[li].origin != BL_LIST_NONE;
        if (f->kind == BL_FS_MINIFILTER && core && !s->nframes && s->fltmgr_position > f->position) {
            f->deferred = true;
            early[nearly++] = i;
            continue;
        }
        load_filter(s, i);
    }
    if (!s->nframes && s->fltmgr_position) {
        new_frame(s, intern(s, FRAME0_LOW), intern(s, FRAME0_HIGH), BL_NONE, s->fltmgr_position);
        add_event(s, BL_FS_EV_FRAME0, BL_NONE, 0, s->fltmgr_position);
        for (uint32_t k = 0; k < nearly; k++)
            load_filter(s, early[k]);
        nearly = 0;
    }
    for (uint32_t k = 0; k < nearly; k++) /* FltMgr never loads */
        load_filter(s, early[k]);
    free(early);
    build_order(s);
    return s;
}

void bl_fs_stack_free(bl_fs_stack *s)
{
    if (!s)
        return;
    bl_altitude_table_free(&s->altitudes);
    free(s->filters);
    free(s->frames);
    free(s->layers);
    free(s->order);
    free(s->events);
    free(s);
}

uint32_t bl_fs_find(const bl_fs_stack *s, uint32_t svc)
{
    for (uint32_t i = 0; i < s->nfilters; i++)
        if (s->filters[i].service == svc)
            return i;
    return BL_NONE;
}

/* ---- words ---- */

const char *bl_fs_state_text(uint8_t state)
{
    switch (state) {
    case BL_FS_PLACED: return "placed";
    case BL_FS_NOT_AT_BOOT: return "not loaded at boot (demand start)";
    case BL_FS_NOT_LOADED: return "never loads (disabled or blocked)";
    case BL_FS_NO_FLTMGR: return "FltMgr never loads: nothing to register with";
    case BL_FS_BEFORE_FLTMGR: return "loads before FltMgr: nothing to register with yet";
    case BL_FS_NO_ALTITUDE: return "no instance Altitude: registering as a minifilter would fail";
    case BL_FS_BAD_ALTITUDE: return "Altitude is not a decimal number: registering would fail";
    default: return "?";
    }
}

static const char *fname(const bl_fs_stack *s, uint32_t fi)
{
    return bl_model_service_name(s->model, s->filters[fi].service);
}

/* "frame 0 (0-49999)" */
static void frame_words(const bl_fs_stack *s, uint32_t k, bl_str low, bl_str high, bl_sb *out)
{
    bl_sb_addf(out, "frame %u (%s-%s)", k, str(s, low), str(s, high));
}

void bl_fs_event_text(const bl_fs_stack *s, const bl_fs_event *e, bl_sb *out)
{
    const bl_fs_filter *f = e->filter != BL_NONE ? &s->filters[e->filter] : NULL;
    switch (e->kind) {
    case BL_FS_EV_FRAME0:
        bl_sb_addf(out, "slot %u: FltMgr loads and creates frame 0 on top of the stack, covering %s-%s",
                   e->position, FRAME0_LOW, FRAME0_HIGH);
        break;
    case BL_FS_EV_ATTACH:
        bl_sb_addf(out, "slot %u: legacy filter %s attaches on top of the stack", e->position,
                   fname(s, e->filter));
        if (f->altitude)
            bl_sb_addf(out, " (altitude %s, from its group \"%s\")", str(s, f->altitude),
                       s->altitudes.v[f->group_range].group);
        else
            bl_sb_addf(out, " (no altitude: its group \"%s\" has no altitude range)",
                       bl_model_str(s->model, s->model->services[f->service].group));
        break;
    case BL_FS_EV_NO_FIT:
        bl_sb_addf(out, "slot %u: minifilter %s (%s) fits no frame; the top one is ", e->position,
                   fname(s, e->filter), str(s, f->altitude));
        frame_words(s, e->frame, e->from, e->to, out);
        break;
    case BL_FS_EV_EXTEND:
        if (e->bound_by != BL_NONE)
            bl_sb_addf(out,
                       "slot %u: legacy filter %s (%s) is attached above frame %u, which extends to "
                       "%s-%s",
                       e->position, fname(s, e->bound_by), str(s, e->to), e->frame,
                       str(s, s->frames[e->frame].low), str(s, e->to));
        else
            bl_sb_addf(out, "slot %u: nothing is attached above frame %u, which grows to %s-%s", e->position,
                       e->frame, str(s, s->frames[e->frame].low), str(s, e->to));
        break;
    case BL_FS_EV_NEW_FRAME: {
        const bl_fs_layer *below = &s->layers[s->frames[e->frame].layer - 1];
        bl_sb_addf(out, "slot %u: %s still does not fit, so frame %u is created on top of the stack, above ",
                   e->position, fname(s, e->filter), e->frame);
        if (below->is_frame)
            bl_sb_addf(out, "frame %u", below->index);
        else
            bl_sb_addf(out, "legacy filter %s", fname(s, below->index));
        bl_sb_addf(out, ", covering %s-%s", str(s, e->from), str(s, e->to));
        break;
    }
    case BL_FS_EV_REGISTER:
        bl_sb_addf(out, "slot %u: minifilter %s (%s) registers in ", e->position, fname(s, e->filter),
                   str(s, f->altitude));
        frame_words(s, e->frame, e->from, e->to, out);
        if (f->collides_with != BL_NONE)
            bl_sb_addf(out, ", but %s already holds altitude %s: fltmgr refuses its instance",
                       fname(s, f->collides_with), str(s, s->filters[f->collides_with].altitude));
        break;
    case BL_FS_EV_SKIP:
        bl_sb_addf(out, "slot %u: minifilter %s is not placed: ", e->position, fname(s, e->filter));
        if (f->state == BL_FS_BAD_ALTITUDE)
            bl_sb_addf(out, "Altitude \"%s\" is not a decimal number", str(s, f->altitude));
        else if (f->state == BL_FS_BEFORE_FLTMGR)
            bl_sb_addf(out, "it loads before FltMgr (slot %u)", s->fltmgr_position);
        else
            bl_sb_add(out, bl_fs_state_text(f->state));
        break;
    }
}
