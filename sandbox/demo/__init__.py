"""`lyceum demo`: the real bot on local Discord and Stripe stand-ins, offline."""

from sandbox.demo.run import fresh_data_dir, run_demo

__all__ = ["fresh_data_dir", "run_demo"]
