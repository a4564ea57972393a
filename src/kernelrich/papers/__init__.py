"""One module per paper of the spec: its experiments (figure by figure) and theorem checks.

Each module defines `KEY`, `TITLE`, `EXPERIMENTS` (list of `Experiment`) and `CHECKS`
(list of `Check`); `kernelrich.catalog` collects them in the spec's order.
"""
