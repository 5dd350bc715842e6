"""PyTorch peer of `pgd`: PGD-10 L-inf (eps 0.1, step 2.5*eps/10, no random start) on the
reference CNN in eval mode, parameters frozen so only input gradients are computed."""
import torch
from torch import nn

from common import load, median_ms, report, save, setup
from reference_cnn import load_weights, reference_cnn

directory, warmup, runs = setup()
arrays = load(directory)
model = load_weights(reference_cnn(), arrays).eval()
for p in model.parameters():
    p.requires_grad_(False)
x, y = arrays["x"], arrays["y"].long()
eps, steps = 0.1, 10
alpha = 2.5 * eps / steps
loss_fn = nn.CrossEntropyLoss(reduction="sum")


def pgd():
    adv = x.clone()
    for _ in range(steps):
        adv.requires_grad_(True)
        loss = loss_fn(model(adv), y)
        (grad,) = torch.autograd.grad(loss, adv)
        with torch.no_grad():
            adv = adv + alpha * grad.sign()
            adv = torch.min(torch.max(adv, x - eps), x + eps).clamp(0.0, 1.0)
    return adv.detach()


save(directory, "torch_adv", pgd())
report(median_ms(pgd, warmup, runs))
