using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace CnnGen;

/// <summary>
/// Threads kept for <see cref="ParallelBatch"/>, one batch at a time. A worker that finishes a batch spins for
/// <see cref="SpinTicks"/> before it sleeps: a batch that follows within that time starts on every worker at once,
/// where a sleeping thread (the thread pool's, or one of these after the spin) takes 100 µs or more to wake on a VM
/// whose other vCPU idles, a few samples' time lost per batch. ONNX Runtime's and OpenMP's workers spin the same way.
/// </summary>
internal static class BatchWorkers
{
    /// <summary>How long a worker waits for the next batch on the CPU: about a millisecond.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 1000;

    private static int _busy;
    private static BatchJob? _current;
    private static long _sequence;
    private static Helper[] _helpers = [];

    /// <summary>
    /// Runs <paramref name="job"/> on the calling thread (worker 0) and helpers 1 to Workers - 1 (no more than the
    /// processors; the samples go to whichever worker is free, so fewer workers only take longer); false, and nothing
    /// run, when another batch has the helpers. Returns once no helper can touch the job's memory any more.
    /// </summary>
    public static bool TryRun(BatchJob job)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
        try
        {
            // more threads than processors would only take turns
            int helpers = Math.Min(job.Workers, Environment.ProcessorCount) - 1;
            if (_helpers.Length < helpers) Grow(helpers);
            Volatile.Write(ref _current, job);
            Interlocked.Increment(ref _sequence); // a full fence: the job is visible before any helper can see the new sequence
            for (int i = 0; i < helpers; i++) _helpers[i].Wake();
            try
            {
                job.WorkOrFail(0);
            }
            finally
            {
                job.Close();
            }
        }
        finally
        {
            Volatile.Write(ref _current, null);
            Volatile.Write(ref _busy, 0);
        }
        job.ThrowErrors();
        return true;
    }

    private static void Grow(int count)
    {
        var grown = new Helper[count];
        Array.Copy(_helpers, grown, _helpers.Length);
        for (int i = _helpers.Length; i < count; i++) grown[i] = new Helper(i + 1);
        _helpers = grown;
    }

    /// <summary>A thread that runs worker <see cref="_worker"/>'s share of each batch that has one.</summary>
    private sealed class Helper
    {
        private readonly int _worker;
        private readonly SemaphoreSlim _wake = new(0);
        private int _sleeping;

        public Helper(int worker)
        {
            _worker = worker;
            new Thread(Loop) { IsBackground = true, Name = $"CnnGen batch worker {worker}" }.Start();
        }

        /// <summary>Called after the sequence moved on: a sleeping helper is woken, a spinning one sees it alone.</summary>
        public void Wake()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        private void Loop()
        {
            long seen = Volatile.Read(ref _sequence);
            while (true)
            {
                WaitPast(seen);
                seen = Volatile.Read(ref _sequence);
                // the job of that sequence or a later one (set before the sequence moves), or none if it has ended
                var job = Volatile.Read(ref _current);
                if (job is null || _worker >= job.Workers || !job.TryJoin()) continue;
                try
                {
                    job.WorkOrFail(_worker);
                }
                finally
                {
                    job.Leave();
                }
            }
        }

        private void WaitPast(long seen)
        {
            long start = Stopwatch.GetTimestamp();
            do
            {
                for (int i = 0; i < 64; i++)
                {
                    if (Volatile.Read(ref _sequence) != seen) return;
                    Thread.SpinWait(8);
                }
            }
            while (Stopwatch.GetTimestamp() - start < SpinTicks);
            // Exchange is a full fence: either Wake sees _sleeping = 1 and releases, or this sees the new sequence
            Interlocked.Exchange(ref _sleeping, 1);
            if (Volatile.Read(ref _sequence) != seen && Interlocked.Exchange(ref _sleeping, 0) == 1) return;
            _wake.Wait(); // Wake took the flag: its Release is this thread's to consume
        }
    }
}

/// <summary>One batch: its pinned samples, the next sample to take and the helpers inside it.</summary>
internal sealed unsafe class BatchJob(float* inputs, float* outputs, int inputLength, int outputLength, int count, int workers, ParallelBatch.SampleRunner run)
{
    private int _next = -1;
    private int _inside;
    private int _closed;
    private readonly object _errorsLock = new();
    private List<Exception>? _errors;

    public int Workers { get; } = workers;

    /// <summary>Runs samples as worker <paramref name="worker"/> until none is left.</summary>
    public void Work(int worker)
    {
        // each sample is hundreds of microseconds or less: one interlocked add per sample is noise
        for (int n = Interlocked.Increment(ref _next); n < count; n = Interlocked.Increment(ref _next))
            run(new ReadOnlySpan<float>(inputs + (long)n * inputLength, inputLength), new Span<float>(outputs + (long)n * outputLength, outputLength), worker);
    }

    /// <summary>A helper enters; false once the caller has closed the job (then its memory may be gone).</summary>
    public bool TryJoin()
    {
        Interlocked.Increment(ref _inside);
        if (Volatile.Read(ref _closed) == 0) return true;
        Interlocked.Decrement(ref _inside);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref _inside);

    /// <summary>No helper joins after this; returns when those inside have left (each within a sample).</summary>
    public void Close()
    {
        Interlocked.Exchange(ref _closed, 1);
        // never Sleep(1), which SpinOnce does by default after a while: the helper is a sample away from leaving
        var spinner = new SpinWait();
        while (Volatile.Read(ref _inside) != 0) spinner.SpinOnce(sleep1Threshold: -1);
    }

    /// <summary><see cref="Work"/>, what it throws kept for <see cref="ThrowErrors"/>.</summary>
    public void WorkOrFail(int worker)
    {
        try
        {
            Work(worker);
        }
        catch (Exception e)
        {
            lock (_errorsLock) (_errors ??= []).Add(e);
        }
    }

    /// <summary>What the workers threw, as <see cref="System.Threading.Tasks.Parallel"/> reports it.</summary>
    public void ThrowErrors()
    {
        if (_errors is not null) throw new AggregateException(_errors);
    }
}
