"""Native PyTorch as a bench contender (bench/torch.ts drives it).

One process per bench run, one request per line on stdin, one JSON answer
per line on stdout. Arrays travel as base64 of little-endian float32/int32.
Requests:
  {"cmd": "info"}                                   versions, threads, BLAS core
  {"cmd": "build", "id": m, "workload": "W1"|"W4", "weights": [...], "optimizer": "adam"|"sgd", "lr": x}
      model m: the workload's model with our (Keras-layout) weights copied in
  {"cmd": "stage", "id": m, "x": ..., "y": ...}      model m's batch
  {"cmd": "train", "id": m}                          one step on the staged batch: the loss
  {"cmd": "predict", "id": m, "batchSize": n}        predictions (sigmoid/softmax applied), flat
  {"cmd": "time", "id": m, "what": "train"|"predict", "batchSize": n, "warmup": w, "iterations": i, "minMs": t}
      per-call times in ms, measured here so the pipe is not timed
  {"cmd": "free", "id": m}
One thread: torch.set_num_threads(1); the parent sets OPENBLAS_NUM_THREADS=1
and unsets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE so OpenBLAS picks its own
kernel for this CPU (reported by "info").
"""
import base64
import ctypes
import json
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
torch.manual_seed(0)


def arr(a):
    dt = np.int32 if a["dtype"] == "int32" else np.float32
    return np.frombuffer(base64.b64decode(a["data"]), dtype=dt).reshape(a["shape"]).copy()


def out(x):
    return base64.b64encode(np.ascontiguousarray(x, dtype=np.float32).tobytes()).decode()


def blas_core():
    """The BLAS torch loaded and, for OpenBLAS, the core kernel it picked."""
    libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower()})
    core = None
    for lib in libs:
        try:
            h = ctypes.CDLL(lib)
            h.openblas_get_corename.restype = ctypes.c_char_p
            h.openblas_get_config.restype = ctypes.c_char_p
            core = "%s (%s)" % (h.openblas_get_corename().decode(), h.openblas_get_config().decode())
            break
        except (OSError, AttributeError):
            continue
    return {"libraries": libs, "openblas": core}


def cpu_capability():
    """The vector ISA torch's own kernels dispatch to (AVX2, AVX512, ...)."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip()
    return None


class Net(torch.nn.Module):
    """Embedding -> LSTM -> Dense: W1 (last step, 1 sigmoid unit) or W4 (every step, softmax)."""

    def __init__(self, V, D, H, U, seq):
        super().__init__()
        self.emb = torch.nn.Embedding(V, D)
        self.lstm = torch.nn.LSTM(D, H, batch_first=True)
        self.dense = torch.nn.Linear(H, U)
        self.seq = seq

    def forward(self, x):
        h, _ = self.lstm(self.emb(x))
        return self.dense(h if self.seq else h[:, -1])  # logits


SHAPES = {"W1": (10000, 64, 128, 1, False), "W4": (96, 32, 256, 96, True)}


def build(req):
    V, D, H, U, seq = SHAPES[req["workload"]]
    net = Net(V, D, H, U, seq)
    w = [arr(a) for a in req["weights"]]
    want = [(V, D), (D, 4 * H), (H, 4 * H), (4 * H,), (H, U), (U,)]
    got = [tuple(x.shape) for x in w]
    if got != want:
        raise ValueError("weights %s, want %s" % (got, want))
    with torch.no_grad():
        # Keras: kernel (I,4H), recurrent (H,4H), one bias; gate order i,f,c,o = torch's i,f,g,o
        net.emb.weight.copy_(torch.from_numpy(w[0]))
        net.lstm.weight_ih_l0.copy_(torch.from_numpy(w[1].T.copy()))
        net.lstm.weight_hh_l0.copy_(torch.from_numpy(w[2].T.copy()))
        net.lstm.bias_ih_l0.copy_(torch.from_numpy(w[3]))
        # Keras has one LSTM bias, torch two that get the same gradient: trained
        # both, the effective bias would move twice as far as ours
        net.lstm.bias_hh_l0.zero_()
        net.dense.weight.copy_(torch.from_numpy(w[4].T.copy()))
        net.dense.bias.copy_(torch.from_numpy(w[5]))
    net.lstm.bias_hh_l0.requires_grad_(False)
    if req["optimizer"] == "sgd":
        opt = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=req["lr"])
    else:
        # Keras's epsilon; torch adds it to sqrt(v̂) (as TF.js does), Keras to sqrt(v)
        opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=req["lr"], eps=1e-7)
    return {"net": net, "opt": opt, "seq": seq, "U": U}


def main():
    models = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            cmd = req["cmd"]
            res = {}
            if cmd == "info":
                res = {"torch": torch.__version__, "python": sys.version.split()[0],
                       "threads": torch.get_num_threads(), "blas": blas_core(),
                       "cpuCapability": cpu_capability()}
            elif cmd == "build":
                models[req["id"]] = build(req)
            elif cmd == "free":
                models.pop(req["id"], None)
            elif cmd == "stage":
                model = models[req["id"]]
                x = torch.from_numpy(arr(req["x"]).astype(np.int64))
                y = torch.from_numpy(arr(req["y"]))
                model["batch"] = (x, y.long() if model["seq"] else y.float())
            elif cmd in ("train", "predict", "time"):
                model = models[req["id"]]
                net, opt = model["net"], model["opt"]
                x, y = model["batch"]
                if model["seq"]:
                    lossf = lambda z: torch.nn.functional.cross_entropy(z.reshape(-1, model["U"]), y.reshape(-1))
                else:
                    lossf = lambda z: torch.nn.functional.binary_cross_entropy_with_logits(z, y.reshape(z.shape))

                def train():
                    opt.zero_grad(set_to_none=True)
                    loss = lossf(net(x))
                    loss.backward()
                    opt.step()
                    return loss.item()

                def predict(bs):
                    with torch.inference_mode():
                        parts = [net(x[i:i + bs]) for i in range(0, x.shape[0], bs)]
                        z = torch.cat(parts)
                        return torch.softmax(z, -1) if model["seq"] else torch.sigmoid(z)

                if cmd == "train":
                    res = {"loss": train()}
                elif cmd == "predict":
                    res = {"y": out(predict(req["batchSize"]).numpy())}
                else:
                    fn = train if req["what"] == "train" else (lambda: predict(req["batchSize"]))
                    for _ in range(req["warmup"]):
                        fn()
                    ms = []
                    t_end = time.perf_counter() + req["minMs"] / 1000
                    while len(ms) < req["iterations"] or time.perf_counter() < t_end:
                        t0 = time.perf_counter()
                        fn()
                        ms.append((time.perf_counter() - t0) * 1000)
                    res = {"ms": ms}
            else:
                raise ValueError("unknown command %r" % cmd)
            res["ok"] = True
        except Exception as e:  # the parent turns this into a thrown Error
            res = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
