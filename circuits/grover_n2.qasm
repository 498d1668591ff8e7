OPENQASM 3.0;
include "stdgates.inc";
gate mcphase(_gate_p_0) _gate_q_0, _gate_q_1 {
  cp(pi) _gate_q_0, _gate_q_1;
}
bit[2] c;
qubit[2] q;
h q[0];
h q[1];
mcphase(pi) q[0], q[1];
h q[1];
h q[0];
x q[0];
x q[1];
mcphase(pi) q[0], q[1];
x q[0];
x q[1];
h q[0];
h q[1];
c[0] = measure q[0];
c[1] = measure q[1];
