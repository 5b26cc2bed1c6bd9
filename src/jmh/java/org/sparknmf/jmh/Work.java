package org.sparknmf.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The work a benchmark did, counted analytically per invocation: JMH reports each public field as a
 * secondary result ({@code ·flops}, {@code ·bytes}) in the benchmark's mode, i.e. flop/s and byte/s
 * in throughput mode. JMH clears the fields before every iteration.
 *
 * <p>Flops: a multiply-add counts 2, any other arithmetic operation 1 (a division, a square root or
 * a {@code Math.pow} too, though they cost far more). Bytes: the compulsory traffic of the kernel
 * as written — every array entry it reads or writes counted once per direction, including the
 * intermediate buffers it fills and reads back — not what the loops fetch from the caches.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Work {

  public long flops;
  public long bytes;

  void add(long flopsPerOp, long bytesPerOp) {
    flops += flopsPerOp;
    bytes += bytesPerOp;
  }
}
