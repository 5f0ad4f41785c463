/**
 * RESP2/RESP3 for effect-redis: reply values, the incremental decoder, the command encoder, and a reply encoder
 * for tests. No I/O.
 *
 * @module
 */
export { CommandEncoder, type CommandEncoderOptions, encodeCommand, type InvalidArgument } from "./CommandEncoder.ts"
export { type DecodeAllOptions, decodeAll, type DecodedFrame } from "./decodeAll.ts"
export { ProtocolError } from "./ProtocolError.ts"
export { encodeAttribute, encodePush, encodeReply, type RespProtocol } from "./ReplyEncoder.ts"
export { RespDecoder, type RespDecoderHandlers, type RespDecoderOptions } from "./RespDecoder.ts"
export { isRespErrorReply, type RespArg, RespErrorReply, type RespValue } from "./RespValue.ts"
