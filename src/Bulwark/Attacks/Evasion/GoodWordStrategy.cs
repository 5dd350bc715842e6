namespace Bulwark.Attacks.Evasion;

/// <summary>How <see cref="GoodWordAttack"/> ranks its candidate words (Lowd &amp; Meek, CEAS 2005).</summary>
public enum GoodWordStrategy
{
    /// <summary>Passive: the words in most of the attacker's ham texts (<see cref="GoodWordRanking.CommonHamWords"/>).</summary>
    CommonHamWords,

    /// <summary>Passive: the words most over-represented in ham against spam (<see cref="GoodWordRanking.HamSpamRatio"/>).</summary>
    HamSpamRatio,

    /// <summary>Active, label only: the first candidates, in the order given, that alone turn a barely-spam probe into ham.</summary>
    FirstN,

    /// <summary>Active, scores: the candidates whose addition lowers the probe's spam probability most.</summary>
    BestN,
}
