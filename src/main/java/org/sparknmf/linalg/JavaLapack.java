package org.sparknmf.linalg;

import dev.ludovic.netlib.lapack.JavaLAPACK;
import dev.ludovic.netlib.lapack.LAPACK;

/**
 * The Java LAPACK every factorisation here uses, not the native one: OpenBLAS's LAPACK gives
 * results that differ in the last bits from call to call (its vector kernels sum in an order that
 * depends on the arrays' addresses), and NNDSVD's start must be the same on every run for fits to
 * be reproducible. The matrices are small ({@code (k + 10)} on one side), so speed is not at stake.
 *
 * <p>It is made ready here, once per JVM. The Java LAPACK's {@code DLAMCH} finds the machine
 * constants on its first call and keeps them in static fields without synchronisation, so two
 * threads making their first LAPACK call at once (two tasks of a fresh executor) can read them half
 * set: 0 or Infinity for the safe minimum, with which {@code DLARFG}'s rescaling loop never ends (a
 * cluster test's executor task hung so; two threads racing in a fresh JVM read wrong constants in 4
 * of 40 runs). This class's initialisation makes that first call, and the JVM makes any other
 * thread wait for it.
 */
final class JavaLapack {

  static final LAPACK LAPACK = ready();

  private JavaLapack() {}

  private static LAPACK ready() {
    LAPACK lapack = JavaLAPACK.getInstance();
    lapack.dlamch("E"); // the first call sets every constant
    return lapack;
  }
}
