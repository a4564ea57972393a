"""Mean-field particle gradient descent and its global convergence (Chizat & Bach 2018).

An unknown signed measure mu on Theta is discretised into m particles,
mu_m = (1/m) sum_i s(w_i) delta_{theta_i}, and J(mu) = R(int phi dmu) + G(mu) is minimised
by the particle gradient flow to a stated tolerance (`particle_flow`), the object of the
paper's theorems, or by its discretisations in mean-field time: gradient descent on the
particles (w_i, theta_i) (`particle_descent`), and forward-backward steps for a non-smooth
total-variation penalty (`particle_forward_backward`). Models: two-layer ReLU / sigmoid
networks (`TwoLayerNet`, with data from `teacher_student`) and sparse spikes deconvolution on
the torus with a total-variation penalty (`SpikeDeconvolution`, its convex grid reference
`deconvolution_minimum`).
"""

from ._convex import GridMinimum as GridMinimum
from ._convex import deconvolution_minimum as deconvolution_minimum
from ._convex import lasso_objective as lasso_objective
from ._deconvolution import SpikeDeconvolution as SpikeDeconvolution
from ._deconvolution import dirichlet as dirichlet
from ._deconvolution import fourier_features as fourier_features
from ._deconvolution import observe as observe
from ._deconvolution import spike_train as spike_train
from ._descent import particle_descent as particle_descent
from ._flow import particle_flow as particle_flow
from ._forward_backward import particle_forward_backward as particle_forward_backward
from ._init import init_gaussian as init_gaussian
from ._init import init_sphere as init_sphere
from ._init import init_torus as init_torus
from ._init import replicate as replicate
from ._init import symmetrize as symmetrize
from ._measure import to_measure as to_measure
from ._model import ParticleModel as ParticleModel
from ._model import objective as objective
from ._model import predict as predict
from ._model import velocity as velocity
from ._particles import Measure as Measure
from ._particles import Particles as Particles
from ._path import DivergenceError as DivergenceError
from ._path import ParticlePath as ParticlePath
from ._teacher import teacher_student as teacher_student
from ._twolayer import TwoLayerNet as TwoLayerNet
