package dev.rota.platform.internal.problem;

import dev.rota.platform.internal.config.PlatformConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses request bodies over {@code rota.http.max-body-bytes} with 413: at once when the declared
 * Content-Length is too large, and while reading when a chunked body grows past the limit, so that
 * no oversized body is ever held in memory.
 */
@Provider
@PreMatching
public class BodySizeLimit implements ContainerRequestFilter {

  @Inject PlatformConfig config;

  @Override
  public void filter(ContainerRequestContext request) {
    long limit = config.maxBodyBytes();
    if (request.getLength() > limit) {
      throw new PayloadTooLarge(limit);
    }
    if (request.hasEntity()) {
      request.setEntityStream(new Bounded(request.getEntityStream(), limit));
    }
  }

  /** Counts what is read and fails once the count passes the limit. */
  static final class Bounded extends FilterInputStream {
    private final long limit;
    private long count;

    Bounded(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        advance(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n > 0) {
        advance(n);
      }
      return n;
    }

    private void advance(long n) {
      count += n;
      if (count > limit) {
        throw new PayloadTooLarge(limit);
      }
    }
  }
}
