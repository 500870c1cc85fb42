using System.Buffers.Binary;
using System.Text;
using Lantern.Training;
using Xunit;

namespace Lantern.Tests.Training;

/// <summary>
/// TensorBoard event files decoded independently (TFRecord framing, CRC32C by a bitwise reference implementation, protobuf
/// by a minimal wire-format reader) and the CSV logger's metrics.csv layout (Lightning's CSVLogger: sorted union of keys).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class LoggerTests
{
    // Reflected CRC-32C (polynomial 0x1EDC6F41, reflected 0x82F63B78), bit by bit: independent of System.IO.Hashing.
    private static uint ReferenceCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    private static uint ReferenceMask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);

    [Fact]
    public void Crc32CKnownVectorsAndMask()
    {
        var digits = Encoding.ASCII.GetBytes("123456789");
        Assert.Equal(0xE3069283u, ReferenceCrc32C(digits));           // the CRC-32C check value
        Assert.Equal(0xE3069283u, TfRecord.Crc32C(digits));
        Assert.Equal(0x8A9136AAu, TfRecord.Crc32C(new byte[32]));       // RFC 3720 B.4: 32 bytes of zeros
        Assert.Equal(0x62A8AB43u, TfRecord.Crc32C(Enumerable.Repeat((byte)0xFF, 32).ToArray())); // 32 bytes of 0xFF
        // by hand: rotr(0xE3069283, 15) = 0x2507C60D; + 0xA282EAD8 = 0xC78AB0E5 (mod 2^32)
        Assert.Equal(0x2507C60Du, (0xE3069283u >> 15) | (0xE3069283u << 17));
        Assert.Equal(0xC78AB0E5u, TfRecord.Mask(0xE3069283u));
        Assert.Equal(0xC78AB0E5u, ReferenceMask(0xE3069283u));
    }

    private sealed record Event(double WallTime, long Step, string? FileVersion, Dictionary<string, float> Scalars);

    private static List<Event> ReadEvents(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var events = new List<Event>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            ulong len = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos));
            Assert.Equal(ReferenceMask(ReferenceCrc32C(bytes.AsSpan(pos, 8))), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8)));
            var data = bytes.AsSpan(pos + 12, (int)len);
            Assert.Equal(ReferenceMask(ReferenceCrc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 12 + (int)len)));
            events.Add(ParseEvent(data.ToArray()));
            pos += 16 + (int)len;
        }
        Assert.Equal(bytes.Length, pos);
        return events;
    }

    private static ulong Varint(byte[] b, ref int p)
    {
        ulong v = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte x = b[p++];
            v |= (ulong)(x & 0x7F) << shift;
            if (x < 0x80) return v;
        }
    }

    private static IEnumerable<(int Field, int Wire, ulong Num, byte[] Bytes)> Fields(byte[] b)
    {
        int p = 0;
        var list = new List<(int, int, ulong, byte[])>();
        while (p < b.Length)
        {
            ulong key = Varint(b, ref p);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: list.Add((field, wire, Varint(b, ref p), [])); break;
                case 1: list.Add((field, wire, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(p)), [])); p += 8; break;
                case 5: list.Add((field, wire, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p)), [])); p += 4; break;
                case 2: int n = (int)Varint(b, ref p); list.Add((field, wire, 0, b[p..(p + n)])); p += n; break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
        return list;
    }

    private static Event ParseEvent(byte[] b)
    {
        double wall = 0;
        long step = 0;
        string? version = null;
        var scalars = new Dictionary<string, float>();
        foreach (var (f, w, num, bytes) in Fields(b))
        {
            if (f == 1 && w == 1) wall = BitConverter.Int64BitsToDouble((long)num);
            else if (f == 2 && w == 0) step = (long)num;
            else if (f == 3 && w == 2) version = Encoding.UTF8.GetString(bytes);
            else if (f == 5 && w == 2)
                foreach (var (vf, _, _, value) in Fields(bytes))
                {
                    Assert.Equal(1, vf);
                    string? tag = null;
                    float? simple = null;
                    foreach (var (x, xw, xn, xb) in Fields(value))
                    {
                        if (x == 1) tag = Encoding.UTF8.GetString(xb);
                        if (x == 2) { Assert.Equal(5, xw); simple = BitConverter.Int32BitsToSingle((int)(uint)xn); }
                    }
                    scalars[tag!] = simple!.Value;
                }
            else throw new InvalidDataException($"unexpected Event field {f}");
        }
        return new Event(wall, step, version, scalars);
    }

    [Fact]
    public void FitWritesTensorBoardEventsAndCsvMetrics()
    {
        string dir = TrainerTestKit.TempDir();
        try
        {
            var tb = new TensorBoardLogger(dir, name: "tb");
            var csv = new CsvLogger(dir, name: "", version: "");
            var ds = TrainerTestKit.Data(12);
            var trainer = new Trainer
            {
                DefaultRootDir = dir, MaxEpochs = 2, LogEveryNSteps = 1, EnableProgressBar = false, EnableCheckpointing = false, NumSanityValSteps = 0,
                Loggers = { tb, csv },
            };
            double before = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;
            trainer.Fit(new TinyClassifier(), TrainerTestKit.Loader(ds, 4, true), TrainerTestKit.Loader(TrainerTestKit.Data(6, 3), 4, false));
            double after = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

            Assert.Equal(Path.Combine(dir, "tb", "version_0"), tb.LogDir);
            Assert.StartsWith("events.out.tfevents.", Path.GetFileName(tb.EventFile));
            var events = ReadEvents(tb.EventFile!);
            Assert.Equal("brain.Event:2", events[0].FileVersion);
            Assert.All(events, e => Assert.InRange(e.WallTime, before - 1, after + 1));
            var train = events.Where(e => e.Scalars.ContainsKey("train_loss")).ToList();
            Assert.Equal([0L, 1, 2, 3, 4, 5], train.Select(e => e.Step));
            Assert.Equal([0f, 0, 0, 1, 1, 1], train.Select(e => e.Scalars["epoch"]));
            var val = events.Where(e => e.Scalars.ContainsKey("val_loss")).ToList();
            Assert.Equal([2L, 5], val.Select(e => e.Step));
            Assert.Equal((float)trainer.CallbackMetrics["val_loss"], val[^1].Scalars["val_loss"]);

            var lines = File.ReadAllLines(Path.Combine(dir, "metrics.csv"));
            Assert.Equal("epoch,step,train_loss,val_acc,val_loss", lines[0]);
            Assert.Equal(1 + 6 + 2, lines.Length);
            var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
            Assert.Equal(["0", "1", "2", "2", "3", "4", "5", "5"], rows.Select(r => r[1]));
            Assert.Equal(["0", "0", "0", "0", "1", "1", "1", "1"], rows.Select(r => r[0]));
            Assert.Equal("", rows[3][2]);                       // the validation row has no train_loss
            Assert.Equal(trainer.CallbackMetrics["val_loss"], double.Parse(rows[7][4], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(train[^1].Scalars["train_loss"], (float)double.Parse(rows[6][2], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Contains("lr: 0.05", File.ReadAllText(Path.Combine(dir, "hparams.yaml")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact] // a new key rewrites the file with the wider header, keeping earlier rows; versions count up
    public void CsvLoggerWidensHeaderAndVersions()
    {
        string dir = TrainerTestKit.TempDir();
        try
        {
            var a = new CsvLogger(dir);
            Assert.Equal("version_0", a.Version);
            a.LogMetrics(new Dictionary<string, double> { ["b"] = 0.5 }, 0);
            a.Save();
            a.LogMetrics(new Dictionary<string, double> { ["b"] = 1.0 }, 1);
            a.Save();
            a.LogMetrics(new Dictionary<string, double> { ["a"] = 1e-7, ["b"] = double.NaN }, 2);
            a.Save();
            Assert.Equal(["a,b,step", ",0.5,0", ",1.0,1", "1e-07,nan,2"], File.ReadAllLines(a.MetricsFile));
            Assert.Empty(Directory.GetFiles(a.LogDir!, "*.tmp", SearchOption.AllDirectories));
            Assert.Equal("version_1", new CsvLogger(dir).Version);
        }
        finally { Directory.Delete(dir, true); }
    }
}
