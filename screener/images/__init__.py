"""Pictures: decoding with limits, perceptual hashes and an index, ORB verification, the asset
bank of copyrighted pictures and emblems, OCR and QR codes. The images stage
(``screener.stages.images``) puts them together."""
