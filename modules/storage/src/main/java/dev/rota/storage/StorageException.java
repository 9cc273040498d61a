package dev.rota.storage;

import dev.rota.platform.ProblemException;

/** Root of the storage module's client-facing failures. */
public abstract class StorageException extends ProblemException {

  protected StorageException(int status, String title, String detail) {
    super(status, title, detail);
  }

  /** No such volume, or none the caller may see. */
  public static final class VolumeNotFound extends StorageException {
    public VolumeNotFound(long id) {
      super(404, "Volume not found", "There is no volume " + id + " that you can see.");
    }
  }

  /** A volume request that breaks a storage rule before it reaches the database. */
  public static final class InvalidVolume extends StorageException {
    public InvalidVolume(String detail) {
      super(400, "Invalid volume", detail);
    }
  }

  /** The caller may see the volume or node but not do this with it. */
  public static final class VolumeForbidden extends StorageException {
    public VolumeForbidden(String detail) {
      super(403, "Not allowed", detail);
    }
  }

  /**
   * A volume whose node selector picks no node of its pool, or nodes of other pools: the volume
   * would be checked against one pool's root and overlaps but could land elsewhere.
   */
  public static final class VolumeOutsidePool extends StorageException {
    public VolumeOutsidePool(String detail) {
      super(422, "Volume outside its pool", detail);
    }
  }

  /** A pool root that is refused: a system path, or a pool the cluster does not have. */
  public static final class PoolRootRefused extends StorageException {
    public PoolRootRefused(String detail) {
      super(422, "Pool root refused", detail);
    }
  }
}
