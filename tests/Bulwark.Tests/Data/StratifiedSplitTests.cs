using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Tests.Data;

public class StratifiedSplitTests
{
    private static Dataset Make(int n, Func<int, long> label, int classes)
    {
        var x = Enumerable.Range(0, n).Select(i => (float)i).ToArray();
        var y = Enumerable.Range(0, n).Select(label).ToArray();
        return new Dataset("toy", Tensor.FromArray(x, n, 1), new LongTensor(y, n), classes, new FeatureInfo(FeatureKind.Tabular, new InputBounds(0, n)));
    }

    [Fact]
    public void Each_class_keeps_its_share_and_every_sample_lands_on_exactly_one_side()
    {
        // 90 of class 0, 10 of class 1: a plain random split could leave class 1 out of the test part.
        var data = Make(100, i => i < 90 ? 0 : 1, 2);
        var split = data.StratifiedSplit(0.2, seed: 5);
        Assert.Equal(18, split.Test.Labels.Data.Count(y => y == 0));
        Assert.Equal(2, split.Test.Labels.Data.Count(y => y == 1));
        var ids = split.Train.Features.ToArray().Concat(split.Test.Features.ToArray()).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), ids);
        // Both sides keep the original order.
        Assert.Equal(split.Test.Features.ToArray().Order(), split.Test.Features.ToArray());
        Assert.Equal("toy/test", split.Test.Name);
    }

    [Fact]
    public void Same_seed_same_split_other_seed_other_split()
    {
        var data = Make(60, i => i % 3, 3);
        var a = data.StratifiedSplit(0.25, 1).Test.Features.ToArray();
        Assert.Equal(a, data.StratifiedSplit(0.25, 1).Test.Features.ToArray());
        Assert.NotEqual(a, data.StratifiedSplit(0.25, 2).Test.Features.ToArray());
        Assert.Throws<BulwarkInputException>(() => data.StratifiedSplit(1.0, 1));
    }

    [Fact]
    public void A_split_pair_must_describe_one_task()
    {
        var data = Make(10, i => i % 2, 2);
        Assert.Throws<BulwarkInputException>(() => new DatasetSplit(data, Make(10, i => i % 3, 3)));
        var corpus = new TextCorpus("c", ["a b", "c d", "e f", "g h"], [0, 1, 0, 1], 2);
        var (train, test) = corpus.StratifiedSplit(0.5, 3);
        Assert.Equal(new long[] { 0, 1 }, train.Labels.Order());
        Assert.Equal(new long[] { 0, 1 }, test.Labels.Order());
        Assert.Empty(train.Texts.Intersect(test.Texts));
    }
}
