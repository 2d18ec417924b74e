"""What each field of the schema's tables made of scalars, vectors of scalars and strings only
is (the option, quantization details, sparsity and external-buffer tables): one character per
field id (schema.fbs declaration order). The same tables as the firmware's reader
(modules/vigil/src/tflite_reader.c); tests/vigil/tflite/test_layouts.py keeps the two equal.

  b h i l   a scalar of 1, 2, 4 or 8 bytes
  B H I L   a vector of 1-, 2-, 4- or 8-byte elements
  s         a string
  .         a deprecated field, which nothing reads (nor TFLite's verifier)
"""

# BuiltinOptions: the layout of each member, by union type.
OPTIONS = (
    "",  # 0 NONE
    "biibiib",  # 1 Conv2DOptions
    "biiibii",  # 2 DepthwiseConv2DOptions
    "iII",  # 3 ConcatEmbeddingsOptions
    "b",  # 4 LSHProjectionOptions
    "biiiib",  # 5 Pool2DOptions
    "ibb",  # 6 SVDFOptions
    "bb",  # 7 RNNOptions
    "bbbbbB",  # 8 FullyConnectedOptions
    "i",  # 9 SoftmaxOptions
    "ib",  # 10 ConcatenationOptions
    "bb",  # 11 AddOptions
    "b",  # 12 L2NormOptions
    "iiii",  # 13 LocalResponseNormalizationOptions
    "biibb",  # 14 LSTMOptions
    "..bb",  # 15 ResizeBilinearOptions
    "i",  # 16 CallOptions
    "I",  # 17 ReshapeOptions
    "iib",  # 18 SkipGramOptions
    "i",  # 19 SpaceToDepthOptions
    "b",  # 20 EmbeddingLookupSparseOptions
    "b",  # 21 MulOptions
    "",  # 22 PadOptions
    "ii",  # 23 GatherOptions
    "",  # 24 BatchToSpaceNDOptions
    "",  # 25 SpaceToBatchNDOptions
    "",  # 26 TransposeOptions
    "b",  # 27 ReducerOptions
    "bb",  # 28 SubOptions
    "b",  # 29 DivOptions
    "I",  # 30 SqueezeOptions
    "bbb",  # 31 SequenceRNNOptions
    "iiiiib",  # 32 StridedSliceOptions
    "",  # 33 ExpOptions
    "",  # 34 TopKV2Options
    "i",  # 35 SplitOptions
    "",  # 36 LogSoftmaxOptions
    "bb",  # 37 CastOptions
    "",  # 38 DequantizeOptions
    "",  # 39 MaximumMinimumOptions
    "b",  # 40 ArgMaxOptions
    "",  # 41 LessOptions
    "",  # 42 NegOptions
    "",  # 43 PadV2Options
    "",  # 44 GreaterOptions
    "",  # 45 GreaterEqualOptions
    "",  # 46 LessEqualOptions
    "",  # 47 SelectOptions
    "",  # 48 SliceOptions
    "biibb",  # 49 TransposeConvOptions
    "b",  # 50 SparseToDenseOptions
    "",  # 51 TileOptions
    "",  # 52 ExpandDimsOptions
    "",  # 53 EqualOptions
    "",  # 54 NotEqualOptions
    "b",  # 55 ShapeOptions
    "",  # 56 PowOptions
    "b",  # 57 ArgMinOptions
    "iiib",  # 58 FakeQuantOptions
    "ii",  # 59 PackOptions
    "",  # 60 LogicalOrOptions
    "i",  # 61 OneHotOptions
    "",  # 62 LogicalAndOptions
    "",  # 63 LogicalNotOptions
    "ii",  # 64 UnpackOptions
    "",  # 65 FloorDivOptions
    "",  # 66 SquareOptions
    "",  # 67 ZerosLikeOptions
    "",  # 68 FillOptions
    "biibbb",  # 69 BidirectionalSequenceLSTMOptions
    "bbbb",  # 70 BidirectionalSequenceRNNOptions
    "biibbb",  # 71 UnidirectionalSequenceLSTMOptions
    "",  # 72 FloorModOptions
    "",  # 73 RangeOptions
    "bb",  # 74 ResizeNearestNeighborOptions
    "i",  # 75 LeakyReluOptions
    "",  # 76 SquaredDifferenceOptions
    "b",  # 77 MirrorPadOptions
    "",  # 78 AbsOptions
    "i",  # 79 SplitVOptions
    "b",  # 80 UniqueOptions
    "",  # 81 ReverseV2Options
    "",  # 82 AddNOptions
    "",  # 83 GatherNdOptions
    "",  # 84 CosOptions
    "",  # 85 WhereOptions
    "",  # 86 RankOptions
    "ii",  # 87 ReverseSequenceOptions
    "",  # 88 MatrixDiagOptions
    "",  # 89 QuantizeOptions
    "",  # 90 MatrixSetDiagOptions
    "",  # 91 HardSwishOptions
    "ii",  # 92 IfOptions
    "ii",  # 93 WhileOptions
    "i",  # 94 DepthToSpaceOptions
    "",  # 95 NonMaxSuppressionV4Options
    "",  # 96 NonMaxSuppressionV5Options
    "",  # 97 ScatterNdOptions
    "",  # 98 SelectV2Options
    "",  # 99 DensifyOptions
    "",  # 100 SegmentSumOptions
    "bbb",  # 101 BatchMatMulOptions
    "bb",  # 102 CumsumOptions
    "i",  # 103 CallOnceOptions
    "",  # 104 BroadcastToOptions
    "",  # 105 Rfft2dOptions
    "biiibiii",  # 106 Conv3DOptions
    "ibb",  # 107 HashtableOptions
    "",  # 108 HashtableFindOptions
    "",  # 109 HashtableImportOptions
    "",  # 110 HashtableSizeOptions
    "ss",  # 111 VarHandleOptions
    "",  # 112 ReadVariableOptions
    "",  # 113 AssignVariableOptions
    "ll",  # 114 RandomOptions
    "I",  # 115 BucketizeOptions
    "b",  # 116 GeluOptions
    "",  # 117 DynamicUpdateSliceOptions
    "",  # 118 UnsortedSegmentProdOptions
    "",  # 119 UnsortedSegmentMaxOptions
    "",  # 120 UnsortedSegmentMinOptions
    "",  # 121 UnsortedSegmentSumOptions
    "",  # 122 ATan2Options
    "",  # 123 SignOptions
    "",  # 124 BitcastOptions
    "",  # 125 BitwiseXorOptions
    "",  # 126 RightShiftOptions
)

# BuiltinOptions2: the layout of each member, by union type.
OPTIONS2 = (
    "",  # 0 NONE
    "l",  # 1 StablehloConcatenateOptions
    "L",  # 2 StablehloBroadcastInDimOptions
    "LLL",  # 3 StablehloSliceOptions
    "LLLLBllLllLllLllI",  # 4 StablehloConvolutionOptions
    "sbsiIB",  # 5 StablehloCustomCallOptions
    "Li",  # 6 StablehloReduceOptions
    "bLLLlbi",  # 7 StablehloScatterOptions
    "ii",  # 8 StablehloCompareOptions
    "L",  # 9 StablehloDynamicSliceOptions
    "LLL",  # 10 StablehloPadOptions
    "l",  # 11 StablehloIotaOptions
    "LLLLI",  # 12 StablehloDotGeneralOptions
    "LLLLLi",  # 13 StablehloReduceWindowOptions
    "lbi",  # 14 StablehloSortOptions
    "ii",  # 15 StablehloWhileOptions
    "LLLlLb",  # 16 StablehloGatherOptions
    "L",  # 17 StablehloTransposeOptions
    "",  # 18 DilateOptions
    "b",  # 19 StablehloRngBitGeneratorOptions
    "i",  # 20 ReduceWindowOptions
    "siBbi",  # 21 StableHLOCompositeOptions
    "",  # 22 StablehloShiftLeftOptions
    "I",  # 23 StablehloCaseOptions
)

# QuantizationDetails: the layout of each member, by union type.
DETAILS = (
    "",  # 0 NONE
    "B",  # 1 CustomQuantization
    "iiiI",  # 2 BlockwiseQuantization
    "iiiI",  # 3 MultiAxisQuantization
)

# SparseIndexVector: the layout of each member, by union type.
INDEX_VECTOR = (
    "",  # 0 NONE
    "I",  # 1 Int32Vector
    "H",  # 2 Uint16Vector
    "B",  # 3 Uint8Vector
)

SPARSITY = "II"  # traversal_order, block_map (then dim_metadata)
DIMENSION = "bi"  # format, dense_size (then the two index vector unions)
EXTERNAL_GROUP = "s"  # name
EXTERNAL_BUFFER = "iills"  # id, group, offset, length, packing
