/*-------------------------------------------------------------------------
 *
 * pg_compat.h
 *	  The differences between the PostgreSQL majors engage builds against
 *	  (15 to 18), in one place.  Code elsewhere uses the current names.
 *
 * 16: the varlena macros (VARSIZE_ANY, VARDATA_ANY, SET_VARSIZE,
 *	   VARATT_IS_EXTENDED, ...) moved from postgres.h to varatt.h, which
 *	   postgres.h no longer includes.
 * 16: float8in_internal gained a last argument, the soft-error context
 *	   (NULL: errors are thrown, as before).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_COMPAT_H
#define PG_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * float8in_internal without a soft-error context: a malformed number raises
 * the usual invalid_text_representation error.  Needs utils/float.h.
 */
#if PG_VERSION_NUM >= 160000
#define engage_float8in(num, endptr_p, type_name, orig_string) \
	float8in_internal((num), (endptr_p), (type_name), (orig_string), NULL)
#else
#define engage_float8in(num, endptr_p, type_name, orig_string) \
	float8in_internal((num), (endptr_p), (type_name), (orig_string))
#endif

#endif							/* PG_COMPAT_H */
