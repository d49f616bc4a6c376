"""Confidential citizen identity (Law on Denunciation, Arts. 47, 48, 56): encryption, masking, audit."""
