using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Defenses.Preprocessing;

/// <summary>
/// An input transformation a defence puts in front of a model (ART's preprocessor): squeezing,
/// smoothing, noise. <see cref="Apply"/> is written in tensor operations, so where the
/// transformation has a derivative the tape records it (a median filter routes the gradient to the
/// selected pixel); where it has none worth the name (rounding is flat almost everywhere) the
/// output carries no gradient, and an attack through it needs BPDA.
/// </summary>
public interface IInputPreprocessor
{
    /// <summary>A short name for reports (e.g. "bit-depth-1").</summary>
    string Name { get; }

    /// <summary>Whether <see cref="Apply"/> draws random numbers: attack such a defence with EOT.</summary>
    bool IsRandomised { get; }

    /// <summary>Transforms a batch [N, ..] whose values lie in <paramref name="bounds"/>; the result has the same shape and bounds.</summary>
    Tensor Apply(Tensor batch, InputBounds bounds);
}
