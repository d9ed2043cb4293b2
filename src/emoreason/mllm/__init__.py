"""A trainable multimodal emotion LLM: feature streams → projectors → any HF causal LM with LoRA.

The recipe of Emotion-LLaMA, AffectGPT and FAME-Net as a library: frozen HF encoders (frames,
16 kHz audio) and emoreason's own evidence (AUs, face table, clues, prosody, timeline) are
projected into a causal LM's embedding space and instruction-tuned, coarse then fine.
``emoreason train mllm --config FILE -o DIR`` trains; ``explain --reasoner mllm --model DIR``
explains with the result. Heavy libraries (torch, transformers, peft) load only when used.
"""
