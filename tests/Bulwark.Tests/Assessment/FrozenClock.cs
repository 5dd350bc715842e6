namespace Bulwark.Tests.Assessment;

/// <summary>A clock that never moves: every scan starts at the same instant and takes no time, so reports are byte-identical.</summary>
internal sealed class FrozenClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;

    public override long GetTimestamp() => 0;
}
