OPENQASM 3.0;
include "stdgates.inc";
gate ch_o0 _gate_q_0, _gate_q_1 {
  x _gate_q_0;
  ch _gate_q_0, _gate_q_1;
  x _gate_q_0;
}
gate USup(_gate_p_0) _gate_q_0, _gate_q_1, _gate_q_2 {
  x _gate_q_2;
  ry(-2.214297435588181) _gate_q_2;
  ch_o0 _gate_q_2, _gate_q_0;
  ch_o0 _gate_q_2, _gate_q_1;
}
gate mcphase(_gate_p_0) _gate_q_0, _gate_q_1, _gate_q_2 {
  cx _gate_q_0, _gate_q_2;
  rz(-pi/4) _gate_q_2;
  cx _gate_q_1, _gate_q_2;
  rz(pi/4) _gate_q_2;
  cx _gate_q_0, _gate_q_2;
  rz(-pi/4) _gate_q_2;
  cx _gate_q_1, _gate_q_2;
  rz(pi/4) _gate_q_2;
  crz(pi/2) _gate_q_0, _gate_q_1;
  p(pi/4) _gate_q_0;
}
gate USup_dg(_gate_p_0) _gate_q_0, _gate_q_1, _gate_q_2 {
  ch_o0 _gate_q_2, _gate_q_1;
  ch_o0 _gate_q_2, _gate_q_0;
  ry(2.214297435588181) _gate_q_2;
  x _gate_q_2;
}
bit[3] c;
qubit[3] q;
USup(5.0) q[0], q[1], q[2];
x q[0];
x q[2];
mcphase(pi) q[0], q[1], q[2];
x q[0];
x q[2];
USup_dg(5.0) q[0], q[1], q[2];
x q[0];
x q[1];
x q[2];
mcphase(pi) q[0], q[1], q[2];
x q[0];
x q[1];
x q[2];
USup(5.0) q[0], q[1], q[2];
c[0] = measure q[0];
c[1] = measure q[1];
c[2] = measure q[2];
