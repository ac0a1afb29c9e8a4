package dev.operated.cluster;

import java.util.function.Supplier;

/**
 * {@code dryRun=All} on a write: the request goes through every stage and is answered with the
 * object as it would be stored, but nothing is stored and no watcher hears of it (the API
 * concepts' "Dry-run" section; kube-apiserver's {@code rest.dryrun} storage). A write runs on the
 * thread that answers it under the write lock, so a thread-local flag marks it for the storage
 * step.
 */
final class DryRun {

  private static final ThreadLocal<Boolean> ACTIVE = ThreadLocal.withInitial(() -> false);

  private DryRun() {
  }

  /**
   * Runs the write as a dry run when the request asks for one.
   *
   * @throws ApiErrors.ApiException for a value other than {@code All}, as
   *     kube-apiserver's {@code ValidateDryRun} refuses it
   */
  static <T> T around(ApiTarget target, Supplier<T> write) {
    String value = target.query().get("dryRun");
    if (value == null || value.isEmpty()) {
      return write.get();
    }
    if (!"All".equals(value)) {
      throw new ApiErrors.ApiException(400, "BadRequest", "dryRun: Unsupported value: \""
          + value + "\": supported values: \"All\"");
    }
    ACTIVE.set(true);
    try {
      return write.get();
    } finally {
      ACTIVE.set(false);
    }
  }

  /** Whether the write being answered must stop before storage. */
  static boolean active() {
    return ACTIVE.get();
  }
}
