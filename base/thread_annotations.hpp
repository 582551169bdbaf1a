// Clang's thread-safety attributes under names of our own. A clang build with -Wthread-safety
// checks that every member marked AUD_GUARDED_BY(mu) is touched only with `mu` held, and that
// functions marked AUD_REQUIRES(mu) are called with it; other compilers see nothing.
#pragma once

#if defined(__clang__)
#define AUD_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define AUD_THREAD_ANNOTATION(x)
#endif

#define AUD_CAPABILITY(name) AUD_THREAD_ANNOTATION(capability(name))
#define AUD_SCOPED_CAPABILITY AUD_THREAD_ANNOTATION(scoped_lockable)
#define AUD_GUARDED_BY(mu) AUD_THREAD_ANNOTATION(guarded_by(mu))
#define AUD_PT_GUARDED_BY(mu) AUD_THREAD_ANNOTATION(pt_guarded_by(mu))
#define AUD_REQUIRES(...) AUD_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define AUD_EXCLUDES(...) AUD_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define AUD_ACQUIRE(...) AUD_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define AUD_RELEASE(...) AUD_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define AUD_ACQUIRE_SHARED(...) AUD_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define AUD_RELEASE_SHARED(...) AUD_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define AUD_TRY_ACQUIRE(...) AUD_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define AUD_RETURN_CAPABILITY(x) AUD_THREAD_ANNOTATION(lock_returned(x))
#define AUD_NO_THREAD_SAFETY_ANALYSIS AUD_THREAD_ANNOTATION(no_thread_safety_analysis)
