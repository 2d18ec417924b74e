/*
 * Copyright (c) 2026 Vigil contributors
 * SPDX-License-Identifier: Apache-2.0
 */

#include <string.h>

#include "vigil/session.h"
#include "vigil/status.h"

#define SHA_PREFIX 8u
#define ZERO_CHUNK 320u

static const char *const use_case_names[VIGIL_USE_CASES] = {"kws", "vww"};
static const int16_t silence[ZERO_CHUNK];

static void emit(struct vigil_session *s, int length)
{
	if (length > 0) {
		s->cfg.write_line(s->cfg.line_ctx, s->line);
	}
}

/* A result line without scores, for a request that could not run. */
static int emit_failure(struct vigil_session *s, const char *use_case, const char *id, int32_t status)
{
	const struct vigil_result r = {use_case, id, NULL, NULL, 0, 0, 1.0f, 0, status};

	emit(s, vigil_result_encode(&r, s->line, sizeof(s->line)));
	return status;
}

static uint8_t argmax(const int8_t *q, uint8_t n)
{
	uint8_t best = 0;

	for (uint8_t i = 1; i < n; i++) {
		if (q[i] > q[best]) {
			best = i;
		}
	}
	return best;
}

static int emit_scores(struct vigil_session *s, enum vigil_use_case uc, const char *id, const int8_t *scores,
		       const char *label, uint32_t time_us)
{
	const struct vigil_model_desc *m = s->cfg.models[uc];
	const struct vigil_result r = {use_case_names[uc],   id, label, scores, m->num_labels, m->output_zero_point,
				       m->output_scale, time_us, VIGIL_OK};
	const int n = vigil_result_encode(&r, s->line, sizeof(s->line));

	emit(s, n);
	return n < 0 ? n : VIGIL_OK;
}

static int model_input(struct vigil_session *s, enum vigil_use_case uc, int8_t **input)
{
	*input = NULL;
	const int status = s->cfg.engine->input(s->cfg.engine_ctx, uc, input);

	return status == VIGIL_OK && *input == NULL ? VIGIL_EINVOKE : status;
}

/* Run the model on the input just filled; *output is valid until the next invoke. */
static int infer(struct vigil_session *s, enum vigil_use_case uc, const int8_t **output, uint32_t *time_us)
{
	*time_us = 0;
	return s->cfg.engine->invoke(s->cfg.engine_ctx, uc, output, time_us);
}

/* The audio front-end's current window into the keyword model's input, then inference. */
static int kws_infer(struct vigil_session *s, const int8_t **out, uint32_t *time_us)
{
	const struct vigil_audio_frontend *a = &s->cfg.audio;
	int8_t *input = NULL;
	int status = model_input(s, VIGIL_USE_KWS, &input);

	if (status == VIGIL_OK) {
		status = a->api->tensor(a->ctx, input);
	}
	return status == VIGIL_OK ? infer(s, VIGIL_USE_KWS, out, time_us) : status;
}

static int usable(struct vigil_session *s, enum vigil_use_case uc)
{
	if (s->cfg.models[uc] == NULL) {
		return VIGIL_ENOTSUP;
	}
	return s->cfg.status[uc];
}

int vigil_session_init(struct vigil_session *s, const struct vigil_session_config *cfg)
{
	if (s == NULL || cfg == NULL || cfg->write_line == NULL || cfg->firmware == NULL || cfg->engine == NULL ||
	    cfg->engine->input == NULL || cfg->engine->invoke == NULL) {
		return VIGIL_EINVAL;
	}
	memset(s, 0, sizeof(*s));
	s->cfg = *cfg;
	int status = vigil_stream_parser_init(&s->parser, cfg->frame_buffer, cfg->frame_capacity);

	if (status != VIGIL_OK) {
		return status;
	}
	const struct vigil_model_desc *kws = cfg->models[VIGIL_USE_KWS];

	if (kws != NULL) {
		const struct vigil_audio_frontend *a = &cfg->audio;

		if (a->api == NULL || a->step_samples == 0u || a->sample_rate == 0u ||
		    kws->num_labels > VIGIL_RECOGNIZER_MAX_LABELS || cfg->recognizer.num_labels != kws->num_labels) {
			return VIGIL_EINVAL;
		}
		status = vigil_recognizer_init(&s->recognizer, &cfg->recognizer);
		if (status != VIGIL_OK) {
			return status;
		}
		const uint32_t hop_ms = (uint32_t)(1000u * a->step_samples / a->sample_rate);

		s->stride_hops = hop_ms > 0u && cfg->stride_ms / hop_ms > 1u ? cfg->stride_ms / hop_ms : 1u;
	}
	const struct vigil_model_desc *vww = cfg->models[VIGIL_USE_VWW];

	if (vww != NULL) {
		if (vww->image_width == 0u || vww->image_height == 0u || vww->num_labels < 2u) {
			return VIGIL_EINVAL;
		}
		status = vigil_detector_init(&s->detector, &cfg->detector);
		if (status != VIGIL_OK) {
			return status;
		}
		s->person_index = 1;
		for (uint8_t i = 0; i < vww->num_labels; i++) {
			if (strcmp(vww->labels[i], "person") == 0) {
				s->person_index = (int8_t)i;
			}
		}
	}
	return VIGIL_OK;
}

/* -- info ------------------------------------------------------------------------------- */

static void append_model(char *list, size_t size, const struct vigil_model_desc *m)
{
	size_t n = strlen(list);

	if (m == NULL || m->name == NULL || m->sha256 == NULL || strlen(m->sha256) < SHA_PREFIX) {
		return;
	}
	if (n > 0u && n + 1u < size) {
		list[n++] = ',';
		list[n] = '\0';
	}
	for (const char *c = m->name; *c != '\0' && n + 1u < size; c++) {
		list[n++] = *c;
	}
	if (n + 1u + SHA_PREFIX < size) {
		list[n++] = '@';
		memcpy(&list[n], m->sha256, SHA_PREFIX);
		n += SHA_PREFIX;
	}
	list[n] = '\0';
}

int vigil_session_info(struct vigil_session *s, const char *id)
{
	if (s == NULL || id == NULL) {
		return VIGIL_EINVAL;
	}
	char models[256] = "";
	int32_t status = VIGIL_OK;

	for (int uc = 0; uc < VIGIL_USE_CASES; uc++) {
		append_model(models, sizeof(models), s->cfg.models[uc]);
		if (status == VIGIL_OK && s->cfg.models[uc] != NULL) {
			status = s->cfg.status[uc];
		}
	}
	append_model(models, sizeof(models), s->cfg.preprocessor);
	const int n = vigil_info_encode(id, s->cfg.firmware, models, s->cfg.arena_used, s->cfg.arena_size, status,
					s->line, sizeof(s->line));

	emit(s, n);
	return n < 0 ? n : VIGIL_OK;
}

/* -- audio ------------------------------------------------------------------------------ */

static int push_all(const struct vigil_audio_frontend *a, const int16_t *samples, size_t count)
{
	const int n = a->api->push(a->ctx, samples, count);

	return n < 0 ? n : VIGIL_OK;
}

static int kws_clip(struct vigil_session *s, const char *id, const int16_t *samples, size_t count)
{
	const struct vigil_audio_frontend *a = &s->cfg.audio;
	int status = a->api->reset(a->ctx);

	if (status == VIGIL_OK) {
		status = push_all(a, samples, count);
	}
	for (size_t done = count; status == VIGIL_OK && done < a->clip_samples; done += ZERO_CHUNK) {
		const size_t n = a->clip_samples - done < ZERO_CHUNK ? a->clip_samples - done : ZERO_CHUNK;

		status = push_all(a, silence, n);
	}
	if (status == VIGIL_OK && !a->api->ready(a->ctx)) {
		status = VIGIL_EAGAIN;
	}
	const int8_t *out = NULL;
	uint32_t us = 0;

	if (status == VIGIL_OK) {
		status = kws_infer(s, &out, &us);
	}
	if (status != VIGIL_OK) {
		return emit_failure(s, "kws", id, status);
	}
	const struct vigil_model_desc *m = s->cfg.models[VIGIL_USE_KWS];

	return emit_scores(s, VIGIL_USE_KWS, id, out, m->labels[argmax(out, m->num_labels)], us);
}

int vigil_session_audio_clip(struct vigil_session *s, const char *id, const int16_t *samples, size_t count)
{
	if (s == NULL || id == NULL || (samples == NULL && count > 0u)) {
		return VIGIL_EINVAL;
	}
	const int status = usable(s, VIGIL_USE_KWS);

	if (status != VIGIL_OK) {
		return emit_failure(s, "kws", id, status);
	}
	if (count <= s->cfg.audio.clip_samples) {
		return kws_clip(s, id, samples, count);
	}
	s->streaming = false; /* a long clip is a stream of its own; a failure shows in its end */
	(void)vigil_session_audio_stream(s, id, samples, count);
	return vigil_session_audio_end(s, id);
}

static int start_stream(struct vigil_session *s, const char *id)
{
	const struct vigil_audio_frontend *a = &s->cfg.audio;

	strncpy(s->stream_id, id, VIGIL_RESULT_MAX_TOKEN);
	s->stream_id[VIGIL_RESULT_MAX_TOKEN] = '\0';
	s->streaming = true;
	s->stream_samples = 0;
	s->ready_hops = 0;
	s->hop_frames = 0;
	s->inferences = 0;
	s->stream_us = 0;
	s->stream_status = VIGIL_OK;
	s->last_detected = VIGIL_LABEL_NONE;
	memset(s->peak, INT8_MIN, sizeof(s->peak));
	const int status = a->api->reset(a->ctx);

	return status != VIGIL_OK ? status : vigil_recognizer_reset(&s->recognizer);
}

/* At a hop boundary with a full window: every stride_hops-th time, infer and recognize. */
static int stream_hop(struct vigil_session *s)
{
	const struct vigil_audio_frontend *a = &s->cfg.audio;
	const struct vigil_model_desc *m = s->cfg.models[VIGIL_USE_KWS];

	if (s->hop_frames == 0u || !a->api->ready(a->ctx)) {
		return VIGIL_OK;
	}
	s->hop_frames = 0;
	if (s->ready_hops++ % s->stride_hops != 0u) {
		return VIGIL_OK;
	}
	const int8_t *out = NULL;
	uint32_t us = 0;
	int status = kws_infer(s, &out, &us);

	if (status != VIGIL_OK) {
		return status;
	}
	s->inferences++;
	s->stream_us += us;
	float p[VIGIL_RECOGNIZER_MAX_LABELS];

	for (uint8_t i = 0; i < m->num_labels; i++) {
		s->peak[i] = out[i] > s->peak[i] ? out[i] : s->peak[i];
	}
	status = vigil_dequantize_scores(out, m->num_labels, m->output_scale, m->output_zero_point, p);
	if (status != VIGIL_OK) {
		return status;
	}
	const uint32_t now_ms = (uint32_t)((uint64_t)s->stream_samples * 1000u / a->sample_rate);
	struct vigil_detection d;
	const int hit = vigil_recognizer_process(&s->recognizer, p, now_ms, &d);

	if (hit < 0) {
		return hit;
	}
	if (hit > 0) {
		const struct vigil_detection_event e = {"kws", s->stream_id, m->labels[d.label], d.score, d.time_ms};

		s->last_detected = d.label;
		emit(s, vigil_detection_encode(&e, s->line, sizeof(s->line)));
	}
	return VIGIL_OK;
}

int vigil_session_audio_stream(struct vigil_session *s, const char *id, const int16_t *samples, size_t count)
{
	if (s == NULL || id == NULL || (samples == NULL && count > 0u)) {
		return VIGIL_EINVAL;
	}
	int status = usable(s, VIGIL_USE_KWS);

	if (status != VIGIL_OK) {
		return status;
	}
	if (!s->streaming || strcmp(s->stream_id, id) != 0) {
		status = start_stream(s, id);
		if (status != VIGIL_OK) {
			s->stream_status = status;
			return status;
		}
	}
	if (s->stream_status != VIGIL_OK) {
		return s->stream_status; /* a failed stream stays failed until it ends */
	}
	const struct vigil_audio_frontend *a = &s->cfg.audio;

	while (count > 0u) {
		const uint32_t to_boundary = a->step_samples - s->stream_samples % a->step_samples;
		const size_t n = count < to_boundary ? count : to_boundary;
		const int frames = a->api->push(a->ctx, samples, n);

		if (frames < 0) {
			s->stream_status = frames;
			return frames;
		}
		s->hop_frames += (uint32_t)frames;
		s->stream_samples += (uint32_t)n;
		samples += n;
		count -= n;
		if (s->stream_samples % a->step_samples == 0u) {
			status = stream_hop(s);
			if (status != VIGIL_OK) {
				s->stream_status = status;
				return status;
			}
		}
	}
	return VIGIL_OK;
}

int vigil_session_audio_end(struct vigil_session *s, const char *id)
{
	if (s == NULL || id == NULL) {
		return VIGIL_EINVAL;
	}
	int status = usable(s, VIGIL_USE_KWS);

	if (status == VIGIL_OK && (!s->streaming || strcmp(s->stream_id, id) != 0)) {
		status = VIGIL_EINVAL; /* no such stream */
	}
	if (status == VIGIL_OK) {
		s->streaming = false;
		status = s->stream_status != VIGIL_OK ? s->stream_status : (s->inferences == 0u ? VIGIL_EAGAIN : VIGIL_OK);
	}
	if (status != VIGIL_OK) {
		return emit_failure(s, "kws", id, status);
	}
	const struct vigil_model_desc *m = s->cfg.models[VIGIL_USE_KWS];
	const char *label = s->last_detected == VIGIL_LABEL_NONE ? "none" : m->labels[s->last_detected];

	return emit_scores(s, VIGIL_USE_KWS, id, s->peak, label, s->stream_us);
}

/* -- images ----------------------------------------------------------------------------- */

int vigil_session_image(struct vigil_session *s, const char *id, const struct vigil_frame *frame, bool continuous,
			uint32_t time_ms)
{
	if (s == NULL || id == NULL || frame == NULL) {
		return VIGIL_EINVAL;
	}
	int status = usable(s, VIGIL_USE_VWW);
	const struct vigil_model_desc *m = s->cfg.models[VIGIL_USE_VWW];

	int8_t *input = NULL;

	if (status == VIGIL_OK) {
		status = model_input(s, VIGIL_USE_VWW, &input);
	}
	if (status == VIGIL_OK) {
		const struct vigil_image_config image = {
			.out_width = m->image_width,
			.out_height = m->image_height,
			.fit = m->image_fit,
			.pixel_scale = m->pixel_scale,
			.scale = m->input_scale,
			.zero_point = m->input_zero_point,
		};

		status = vigil_image_to_tensor(frame, &image, input);
	}
	const int8_t *out = NULL;
	uint32_t us = 0;

	if (status == VIGIL_OK) {
		status = infer(s, VIGIL_USE_VWW, &out, &us);
	}
	if (status != VIGIL_OK) {
		return emit_failure(s, "vww", id, status);
	}
	status = emit_scores(s, VIGIL_USE_VWW, id, out, m->labels[argmax(out, m->num_labels)], us);
	if (status != VIGIL_OK || !continuous) {
		return status;
	}
	float p[VIGIL_RECOGNIZER_MAX_LABELS];
	bool present = false;

	status = vigil_dequantize_scores(out, m->num_labels, m->output_scale, m->output_zero_point, p);
	const int changed = status == VIGIL_OK ? vigil_detector_update(&s->detector, p[s->person_index], &present)
					       : status;

	if (changed > 0) {
		const struct vigil_detection_event e = {
			"vww", id, present ? m->labels[s->person_index] : m->labels[s->person_index == 0 ? 1 : 0],
			p[s->person_index], time_ms};

		emit(s, vigil_detection_encode(&e, s->line, sizeof(s->line)));
	}
	return changed < 0 ? changed : VIGIL_OK;
}

int vigil_session_fail(struct vigil_session *s, enum vigil_use_case use_case, const char *id, int32_t status)
{
	if (s == NULL || id == NULL || (unsigned int)use_case >= (unsigned int)VIGIL_USE_CASES || status >= 0) {
		return VIGIL_EINVAL;
	}
	(void)emit_failure(s, use_case_names[use_case], id, status);
	return VIGIL_OK;
}

/* -- console stream --------------------------------------------------------------------- */

static const char *frame_use_case(enum vigil_stream_type type)
{
	switch (type) {
	case VIGIL_STREAM_AUDIO:
	case VIGIL_STREAM_CHUNK:
	case VIGIL_STREAM_END:
		return "kws";
	case VIGIL_STREAM_IMAGE:
		return "vww";
	default:
		return "frame";
	}
}

static int dispatch(struct vigil_session *s, const struct vigil_stream_frame *f)
{
	switch (f->type) {
	case VIGIL_STREAM_QUERY:
		return vigil_session_info(s, f->id);
	case VIGIL_STREAM_AUDIO:
	case VIGIL_STREAM_CHUNK:
		if (f->length % 2u != 0u) {
			return emit_failure(s, "kws", f->id, VIGIL_EFRAME);
		}
		break;
	default:
		break;
	}
	/* The payload is little-endian int16 PCM; every supported core is little endian, and the
	 * parser's buffer is the caller's, aligned for int16 (see vigil_session_config). */
	const int16_t *pcm = (const int16_t *)(const void *)f->payload;
	const size_t samples = f->length / 2u;

	switch (f->type) {
	case VIGIL_STREAM_AUDIO:
		return vigil_session_audio_clip(s, f->id, pcm, samples);
	case VIGIL_STREAM_CHUNK: {
		const int status = vigil_session_audio_stream(s, f->id, pcm, samples);

		emit(s, vigil_ack_encode(f->id, s->streaming ? s->stream_samples : 0u, status, s->line,
					 sizeof(s->line)));
		return status;
	}
	case VIGIL_STREAM_END:
		return vigil_session_audio_end(s, f->id);
	case VIGIL_STREAM_IMAGE: {
		const struct vigil_frame image = {f->payload, f->width, f->height,
						  (uint32_t)f->width * vigil_pixel_bytes((enum vigil_pixel_format)f->format),
						  (enum vigil_pixel_format)f->format};

		if (vigil_pixel_bytes(image.format) == 0u ||
		    (uint64_t)image.stride * image.height != (uint64_t)f->length) {
			return emit_failure(s, "vww", f->id, VIGIL_EFRAME);
		}
		return vigil_session_image(s, f->id, &image, false, 0);
	}
	default:
		return emit_failure(s, "frame", f->id, VIGIL_EFRAME);
	}
}

int vigil_session_feed(struct vigil_session *s, const uint8_t *data, size_t count)
{
	if (s == NULL || (data == NULL && count > 0u)) {
		return VIGIL_EINVAL;
	}
	int handled = 0;

	for (size_t i = 0; i < count; i++) {
		const struct vigil_stream_frame *f = NULL;
		const int r = vigil_stream_parser_feed(&s->parser, data[i], &f);

		if (r > 0) {
			(void)dispatch(s, f); /* the answer line carries any failure */
			handled++;
		} else if (r < 0) {
			emit_failure(s, frame_use_case(f->type), f->id[0] != '\0' ? f->id : "frame", r);
			handled++;
		}
	}
	return handled;
}
