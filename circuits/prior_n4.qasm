OPENQASM 3.0;
include "stdgates.inc";
gate unitary _gate_q_0 {
  U(1.9823131728623846, 0, 0) _gate_q_0;
}
gate multiplexer_dg _gate_q_0 {
  unitary _gate_q_0;
}
gate unitary_0 _gate_q_0 {
  U(pi/2, -6.184940636905207, 0) _gate_q_0;
}
gate unitary_1 _gate_q_0 {
  U(pi/2, pi/2, -1.3292040876151527) _gate_q_0;
}
gate multiplexer_dg_0 _gate_q_0, _gate_q_1 {
  unitary_0 _gate_q_0;
  cx _gate_q_1, _gate_q_0;
  unitary_1 _gate_q_0;
}
gate isometry_to_uncompute_dg _gate_q_0, _gate_q_1 {
  multiplexer_dg _gate_q_1;
  multiplexer_dg_0 _gate_q_0, _gate_q_1;
}
gate state_preparation(_gate_p_0, _gate_p_1, _gate_p_2, _gate_p_3) _gate_q_0, _gate_q_1 {
  isometry_to_uncompute_dg _gate_q_0, _gate_q_1;
}
gate mcphase(_gate_p_0) _gate_q_0, _gate_q_1 {
  cp(pi) _gate_q_0, _gate_q_1;
}
gate unitary_2 _gate_q_0 {
  U(pi/2, -1.8123885659746402, pi/2) _gate_q_0;
}
gate unitary_3 _gate_q_0 {
  U(pi/2, pi, 3.0433479833154147) _gate_q_0;
}
gate multiplexer _gate_q_0, _gate_q_1 {
  unitary_2 _gate_q_0;
  cx _gate_q_1, _gate_q_0;
  unitary_3 _gate_q_0;
}
gate unitary_4 _gate_q_0 {
  U(1.9823131728623846, -pi, pi) _gate_q_0;
}
gate multiplexer_0 _gate_q_0 {
  unitary_4 _gate_q_0;
}
gate isometry_to_uncompute _gate_q_0, _gate_q_1 {
  multiplexer _gate_q_0, _gate_q_1;
  multiplexer_0 _gate_q_1;
}
gate state_preparation_dg(_gate_p_0, _gate_p_1, _gate_p_2, _gate_p_3) _gate_q_0, _gate_q_1 {
  isometry_to_uncompute _gate_q_0, _gate_q_1;
}
bit[2] c;
qubit[2] q;
state_preparation(0.31622776601683794, 0.4472135954999579, 0.5477225575051661, 0.6324555320336759) q[0], q[1];
x q[0];
x q[1];
mcphase(pi) q[0], q[1];
x q[0];
x q[1];
state_preparation_dg(0.31622776601683794, 0.4472135954999579, 0.5477225575051661, 0.6324555320336759) q[0], q[1];
x q[0];
x q[1];
mcphase(pi) q[0], q[1];
x q[0];
x q[1];
state_preparation(0.31622776601683794, 0.4472135954999579, 0.5477225575051661, 0.6324555320336759) q[0], q[1];
c[0] = measure q[0];
c[1] = measure q[1];
