using Bulwark.Engine;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

public class LossTests
{
    // Reference values computed once with torch 1.13 (torch.nn.functional) on these inputs.
    private static Tensor Logits() => Tensor.FromArray([1f, -2f, 0.5f, 0.3f, 0.2f, -0.1f, 2f, 1f, -3f, -1f, 0f, 1f], 4, 3);

    private static LongTensor Labels() => LongTensor.FromValues(0, 2, 1, 2);

    private static Tensor Probabilities() => Tensor.FromArray([0.2f, 0.8f, 0f, 0.5f, 0.25f, 0.25f, 0f, 0f, 1f, 0.1f, 0.6f, 0.3f], 4, 3);

    private static Tensor BinaryTargets() => Tensor.FromArray([1f, 0f, 0.5f, 0.2f, 0.8f, 0f, 0f, 1f, 1f, 0.3f, 0.3f, 0.3f], 4, 3);

    [Fact]
    public void CrossEntropy_matches_PyTorch()
    {
        Assert.Equal(0.8940722346305847f, Losses.CrossEntropy(Logits(), Labels()).Item(), 1e-6f);
        Assert.Equal(3.576288938522339f, Losses.CrossEntropy(Logits(), Labels(), reduction: Reduction.Sum).Item(), 4e-6f);
        Assert.Equal(0.9674055576324463f, Losses.CrossEntropy(Logits(), Labels(), labelSmoothing: 0.1f).Item(), 1e-6f);
        var perSample = Losses.CrossEntropy(Logits(), Labels(), labelSmoothing: 0.2f, reduction: Reduction.None);
        Assert.Equal([4], perSample.Shape.ToArray());
        float[] expected = [0.7379302978515625f, 1.2992440462112427f, 1.518175482749939f, 0.6076059341430664f];
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], perSample.ToArray()[i], 1e-6f);
        }
    }

    [Fact]
    public void NllLoss_of_log_softmax_equals_CrossEntropy() =>
        Assert.Equal(0.8940722346305847f, Losses.NllLoss(Logits().LogSoftmax(1), Labels()).Item(), 1e-6f);

    [Fact]
    public void MseLoss_matches_PyTorch() =>
        Assert.Equal(2.2208335399627686f, Losses.MseLoss(Logits(), BinaryTargets()).Item(), 1e-6f);

    [Fact]
    public void BceWithLogits_matches_PyTorch_and_is_stable()
    {
        Assert.Equal(0.9208004474639893f, Losses.BceWithLogits(Logits(), BinaryTargets()).Item(), 1e-6f);
        var posWeight = Tensor.FromArray([2f, 0.5f, 1f], 3);
        Assert.Equal(0.9473215937614441f, Losses.BceWithLogits(Logits(), BinaryTargets(), posWeight: posWeight).Item(), 1e-6f);
        var big = Losses.BceWithLogits(Tensor.FromArray([100f, -100f, 30f], 3), Tensor.FromArray([0f, 1f, 1f], 3), Reduction.None).ToArray();
        Assert.Equal([100f, 100f, 0f], big);
    }

    [Fact]
    public void KLDiv_matches_PyTorch_for_every_reduction()
    {
        var logP = Logits().LogSoftmax(1);
        Assert.Equal(2.0158050060272217f, Losses.KLDiv(logP, Probabilities()).Item(), 2e-6f);
        Assert.Equal(0.6719350218772888f, Losses.KLDiv(logP, Probabilities(), KLDivReduction.Mean).Item(), 1e-6f);
        Assert.Equal(8.063220024108887f, Losses.KLDiv(logP, Probabilities(), KLDivReduction.Sum).Item(), 8e-6f);
        Assert.Equal([4, 3], Losses.KLDiv(logP, Probabilities(), KLDivReduction.None).Shape.ToArray());
        var logQ = Probabilities().Add(0.01f).Log();
        Assert.Equal(2.0296950340270996f, Losses.KLDiv(logP, logQ, logTarget: true).Item(), 2e-6f);
    }

    [Fact]
    public void Invalid_inputs_are_rejected()
    {
        Assert.Throws<BulwarkInputException>(() => Losses.CrossEntropy(Logits(), LongTensor.FromValues(0, 3, 1, 2)));
        Assert.Throws<BulwarkInputException>(() => Losses.CrossEntropy(Logits(), LongTensor.FromValues(0, -1, 1, 2)));
        Assert.Throws<BulwarkInputException>(() => Losses.CrossEntropy(Logits(), LongTensor.FromValues(0, 1)));
        Assert.Throws<BulwarkInputException>(() => Losses.CrossEntropy(Logits().Reshape(12), Labels()));
        Assert.Throws<BulwarkInputException>(() => Losses.CrossEntropy(Logits(), Labels(), labelSmoothing: 1.5f));
        Assert.Throws<BulwarkInputException>(() => Losses.CrossEntropy(Tensor.Zeros(0, 3), new LongTensor([], 0)));
        Assert.Equal([0], Losses.CrossEntropy(Tensor.Zeros(0, 3), new LongTensor([], 0), reduction: Reduction.None).Shape.ToArray());
        Assert.Throws<BulwarkInputException>(() => Losses.MseLoss(Logits(), Tensor.Zeros(3, 4)));
        Assert.Throws<BulwarkInputException>(() => Losses.BceWithLogits(Logits(), Tensor.Zeros(4)));
        Assert.Throws<BulwarkInputException>(() => Losses.KLDiv(Logits(), Tensor.Zeros(4, 2)));
        Assert.Throws<BulwarkInputException>(() => Losses.NllLoss(Logits(), LongTensor.FromValues(0, 1, 2, 5)));
    }

    [Fact]
    public void CrossEntropy_gradient_with_and_without_label_smoothing()
    {
        GradCheck.Check(x => Losses.CrossEntropy(x[0], Labels()), [Logits()]);
        GradCheck.Check(x => Losses.CrossEntropy(x[0], Labels(), labelSmoothing: 0.1f, reduction: Reduction.None), [Logits()]);
    }

    [Fact]
    public void NllLoss_and_MseLoss_gradients()
    {
        GradCheck.Check(x => Losses.NllLoss(x[0], Labels(), Reduction.Sum), [Logits()]);
        GradCheck.Check(x => Losses.MseLoss(x[0], x[1]), [Logits(), BinaryTargets()]);
    }

    [Fact]
    public void BceWithLogits_gradient_wrt_logits_and_targets()
    {
        GradCheck.Check(x => Losses.BceWithLogits(x[0], x[1], Reduction.None), [Logits(), BinaryTargets()]);
        GradCheck.Check(x => Losses.BceWithLogits(x[0], BinaryTargets(), posWeight: Tensor.FromArray([2f, 0.5f, 1f], 3)), [Logits()]);
    }

    [Fact]
    public void KLDiv_gradient_wrt_input_and_positive_target()
    {
        var positive = GradCheck.Random(7, 0.1f, 1f, 4, 3);
        GradCheck.Check(x => Losses.KLDiv(x[0].LogSoftmax(1), x[1]), [Logits(), positive]);
        GradCheck.Check(x => Losses.KLDiv(x[0].LogSoftmax(1), Probabilities(), KLDivReduction.Sum), [Logits()]);
        GradCheck.Check(x => Losses.KLDiv(x[0], x[1], KLDivReduction.None, logTarget: true), [Logits(), GradCheck.Random(8, -2f, 0f, 4, 3)]);
    }

    [Fact]
    public void Second_order_through_each_loss()
    {
        GradCheck.CheckSecondOrder(x => Losses.CrossEntropy(x[0], Labels(), labelSmoothing: 0.1f), [Logits()]);
        GradCheck.CheckSecondOrder(x => Losses.BceWithLogits(x[0], BinaryTargets()), [Logits()]);
        GradCheck.CheckSecondOrder(x => Losses.KLDiv(x[0].LogSoftmax(1), Probabilities()), [Logits()]);
        GradCheck.CheckSecondOrder(x => Losses.MseLoss(x[0].Tanh(), BinaryTargets()), [Logits()]);
    }
}
